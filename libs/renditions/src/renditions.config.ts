import { availableParallelism } from 'node:os';
import { AppConfig, ConfigError, type SettingsCheck } from '#config';
import { RenditionsSettings } from './application/renditions.settings.js';
import { parsePresets, type RenditionPreset } from './domain/presets.js';

/** RENDITION_PRESETS read by its owner; a ConfigError names it when it cannot be. */
function presetsOf(config: AppConfig): RenditionPreset[] {
  try {
    return parsePresets(config.RENDITION_PRESETS);
  } catch (error) {
    throw new ConfigError([`RENDITION_PRESETS ${(error as Error).message} (got "${config.RENDITION_PRESETS}")`]);
  }
}

/** The renditions module's settings, read from configuration (the module binds them). */
export function renditionsSettings(config: AppConfig): RenditionsSettings {
  return {
    presets: presetsOf(config),
    maxPerPanorama: config.RENDITIONS_PER_PANORAMA,
    renderTimeoutSeconds: config.RENDITION_TIMEOUT_SECONDS,
    compress: {
      maxBytes: config.COMPRESS_MAX_BYTES,
      maxPixels: config.COMPRESS_MAX_PIXELS,
      maxSide: config.IMAGE_MAX_SIDE,
      timeoutSeconds: config.COMPRESS_TIMEOUT_SECONDS,
      concurrency: config.COMPRESS_CONCURRENCY || availableParallelism(),
      queue: config.COMPRESS_QUEUE,
      queueSeconds: config.COMPRESS_QUEUE_SECONDS,
    },
  };
}

/** For the apps' loadConfig: a bad RENDITION_PRESETS stops them at start-up, with the rest. */
export const checkRenditionsSettings: SettingsCheck = (config) => {
  try {
    presetsOf(config);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};
