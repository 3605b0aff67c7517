import { ConfigError, loadConfig } from '#config';
import { checkRenditionsSettings, renditionsSettings } from './renditions.config.js';

describe('the renditions settings', () => {
  it('parses RENDITION_PRESETS, the default too', () => {
    expect(renditionsSettings(loadConfig({})).presets.map((p) => p.name)).toEqual(['thumb', 'preview']);
    expect(renditionsSettings(loadConfig({ RENDITION_PRESETS: 'none' })).presets).toEqual([]);
    expect(renditionsSettings(loadConfig({ RENDITION_PRESETS: 'card:600x400^:png' })).presets).toEqual([
      { name: 'card', request: { width: 600, height: 400, fit: 'cover', format: 'png' } },
    ]);
  });

  it('names a bad RENDITION_PRESETS at start-up (the apps pass this check to loadConfig) and when bound', () => {
    expect(() => loadConfig({ RENDITION_PRESETS: 'thumb:320:gif' }, [checkRenditionsSettings])).toThrow(
      /RENDITION_PRESETS "thumb:320:gif" is not name:size:format.*\(got "thumb:320:gif"\)/,
    );
    expect(checkRenditionsSettings(loadConfig({}))).toEqual([]);
    const unchecked = loadConfig({ RENDITION_PRESETS: 'a:1:png,a:2:png' });
    expect(() => renditionsSettings(unchecked)).toThrow(ConfigError);
    expect(() => renditionsSettings(unchecked)).toThrow(/RENDITION_PRESETS preset "a" is given twice/);
  });
});
