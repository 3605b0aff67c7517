import { plainText } from './iiif-presentation.js';

describe('plainText (IIIF language map values)', () => {
  it('keeps ordinary text, markup-looking fragments included', () => {
    expect(plainText('Harbour at dawn')).toBe('Harbour at dawn');
    expect(plainText('Fishing boats, <b>not</b> markup')).toBe('Fishing boats, <b>not</b> markup');
    expect(plainText('a > b < c')).toBe('a > b < c');
  });

  it('turns a value a IIIF client would read as HTML into HTML that shows it as typed', () => {
    expect(plainText('<script>alert(1)</script>')).toBe('<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>');
    expect(plainText('<img src=x onerror="a()">')).toBe('<span>&lt;img src=x onerror=&quot;a()&quot;&gt;</span>');
  });
});
