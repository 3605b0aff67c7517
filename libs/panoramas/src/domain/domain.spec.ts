import { sanitiseFilename, sniffImageFormat, TITLE_MAX_LENGTH, titleFromFilename } from './index.js';

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
  ])('recognises %s', (format, head) => expect(sniffImageFormat(head)).toBe(format));

  it.each([
    ['empty', bytes()],
    ['GIF', bytes('GIF89a')],
    ['SVG', bytes('<svg xmlns=')],
    ['PDF', bytes('%PDF-1.7')],
    ['ZIP', bytes('PK', 3, 4)],
    ['RIFF but WAVE', bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt ')],
    ['two JPEG bytes', bytes(0xff, 0xd8)],
    ['BMP', bytes('BM')],
  ])('rejects %s', (_name, head) => expect(sniffImageFormat(head)).toBeNull());
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
