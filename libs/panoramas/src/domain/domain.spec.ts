import {
  sanitiseFilename,
  sniffImageFormat,
  sniffUndecodableFormat,
  TITLE_MAX_LENGTH,
  titleFromFilename,
} from './index.js';

describe('sniffImageFormat', () => {
  const bytes = (...values: (number | string)[]) =>
    Buffer.concat(values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from([v]))));

  it.each([
    ['jpeg', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)],
    ['png', bytes(0x89, 'PNG\r\n\x1a\n', 0, 0, 0, 0x0d)],
    ['webp', bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 ')],
    ['tiff', bytes('II*', 0, 8, 0, 0, 0)],
    ['tiff', bytes('MM', 0, '*', 0, 0, 0, 8)],
    ['tiff', bytes('II+', 0, 8, 0, 0, 0)],
    ['bmp', bytes('BM', 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0)],
    ['bmp', bytes('BM', 0x1a, 0, 0, 0, 0, 0, 0, 0, 0x1a, 0, 0, 0, 12, 0, 0, 0)],
    ['gif', bytes('GIF89a', 1, 0)],
    ['gif', bytes('GIF87a', 1, 0)],
    ['avif', bytes(0, 0, 0, 0x1c, 'ftypavif', 0, 0, 0, 0, 'avifmif1miaf')],
    ['avif', bytes(0, 0, 0, 0x1c, 'ftypmif1', 0, 0, 0, 0, 'mif1avifmiaf')],
  ])('recognises %s', (format, head) => expect(sniffImageFormat(head)).toBe(format));

  it.each([
    ['empty', bytes()],
    ['GIF89 without its "a"', bytes('GIF89b')],
    ['HEIC', bytes(0, 0, 0, 0x18, 'ftypheic', 0, 0, 0, 0, 'mif1heic')],
    ['an MP4 video', bytes(0, 0, 0, 0x18, 'ftypisom', 0, 0, 0, 0, 'isommp41')],
    ['BM with a reserved word set', bytes('BM', 0x36, 0, 0, 0, 1, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0)],
    ['BM with an unknown info header', bytes('BM', 0x36, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 41, 0, 0, 0)],
    ['SVG', bytes('<svg xmlns=')],
    ['PDF', bytes('%PDF-1.7')],
    ['ZIP', bytes('PK', 3, 4)],
    ['RIFF but WAVE', bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt ')],
    ['two JPEG bytes', bytes(0xff, 0xd8)],
    ['BMP', bytes('BM')],
  ])('rejects %s', (_name, head) => expect(sniffImageFormat(head)).toBeNull());

  it('names HEIC (HEVC brands, no AVIF brand) as recognised but undecodable, and nothing else', () => {
    expect(sniffUndecodableFormat(bytes(0, 0, 0, 0x18, 'ftypheic', 0, 0, 0, 0, 'mif1heic'))).toBe('HEIC');
    expect(sniffUndecodableFormat(bytes(0, 0, 0, 0x18, 'ftypmif1', 0, 0, 0, 0, 'mif1heix'))).toBe('HEIC');
    expect(sniffUndecodableFormat(bytes(0, 0, 0, 0x1c, 'ftypmif1', 0, 0, 0, 0, 'mif1avifheic'))).toBeNull();
    expect(sniffUndecodableFormat(bytes(0, 0, 0, 0x18, 'ftypisom', 0, 0, 0, 0, 'isommp41'))).toBeNull();
    expect(sniffUndecodableFormat(bytes('GIF89a'))).toBeNull();
  });
});

describe('sanitiseFilename', () => {
  it.each([
    ['alps.jpg', 'alps.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\pano.tif', 'pano.tif'],
    ['a\u0000b\u0007c.jpg', 'abc.jpg'],
    ['evil\u202egpj.exe', 'evilgpj.exe'],
    ['\u200ehidden\u2066\u2069.png', 'hidden.png'],
    ['  spaced   out  .jpg ', 'spaced out .jpg'],
    ['..', 'upload'],
    ['.htaccess', 'htaccess'],
    ['', 'upload'],
    [undefined, 'upload'],
    ['e\u0301te\u0301.jpg', '\u00e9t\u00e9.jpg'],
  ])('%p -> %p', (raw, expected) => expect(sanitiseFilename(raw)).toBe(expected));

  it('caps at 255 characters and keeps the extension', () => {
    const name = sanitiseFilename(`${'x'.repeat(400)}.jpeg`);
    expect(name).toHaveLength(255);
    expect(name.endsWith('.jpeg')).toBe(true);
  });
});

describe('titleFromFilename', () => {
  it('drops the extension and caps the length', () => {
    expect(titleFromFilename('Matterhorn at dawn.jpg')).toBe('Matterhorn at dawn');
    expect(titleFromFilename('noext')).toBe('noext');
    expect(titleFromFilename(`${'t'.repeat(300)}.jpg`)).toHaveLength(TITLE_MAX_LENGTH);
  });
});
