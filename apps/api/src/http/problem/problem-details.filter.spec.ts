import { jest } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { loadConfig } from '#config';
import { DatabaseOutage } from '#persistence';
import { NoMetrics } from '#shared-kernel';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** What the filter does with a failure whose client has already hung up (issue 18, item 11). */
function hostFor(res: Record<string, unknown>, clientSocketGone = true) {
  const req = {
    method: 'POST',
    originalUrl: '/v1/images/compress',
    id: 'r1',
    socket: { destroyed: clientSocketGone },
    headers: {},
  };
  return {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
}

describe('ProblemDetailsFilter and clients that hang up', () => {
  const filter = new ProblemDetailsFilter(
    loadConfig({ NODE_ENV: 'development' }),
    new DatabaseOutage(),
    new NoMetrics(),
  );

  it('logs an abandoned request at info, never as an error, and writes nothing', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const res = {
      destroyed: true,
      writableFinished: false,
      headersSent: false,
      status: jest.fn(),
      setHeader: jest.fn(),
    };
    try {
      // What a render killed because its client left throws: an unknown error, a 500 otherwise.
      filter.catch(new Error('the client went away'), hostFor(res));
      expect(error).not.toHaveBeenCalled();
      expect(info).toHaveBeenCalledWith(
        expect.objectContaining({ reqId: 'r1' }),
        expect.stringMatching(/client went away/),
      );
      expect(res.status).not.toHaveBeenCalled();
    } finally {
      error.mockRestore();
      info.mockRestore();
    }
  });

  it('still logs a failure as an error while the client waits for the answer', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = {
      destroyed: false,
      writableFinished: false,
      headersSent: true, // so the filter cuts the connection instead of writing a body
      destroy: jest.fn(),
      setHeader: jest.fn(),
    };
    const host = hostFor(res, false);
    try {
      filter.catch(new Error('a bug'), host);
      expect(error).toHaveBeenCalled();
    } finally {
      error.mockRestore();
    }
  });
});
