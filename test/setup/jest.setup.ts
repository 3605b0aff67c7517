// Load ESM Nest before anything CJS (@nestjs/throttler) require()s it, which otherwise
// fails with "Cannot require() ES Module ... in a cycle" under jest's ESM mode.
import 'reflect-metadata';
import '@nestjs/common';
import '@nestjs/core';
import { Logger } from '@nestjs/common';

// Quiet the static Nest logger in unit tests; an app under test installs its own (pino, at
// the LOG_LEVEL its config gives) with app.useLogger.
Logger.overrideLogger(false);
