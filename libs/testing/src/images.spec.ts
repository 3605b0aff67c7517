import sharp from 'sharp';
import { flatJpeg } from './images.js';

describe('flatJpeg (a strip repeated behind restart markers)', () => {
  const colour = { r: 40, g: 90, b: 160 };

  it('decodes, with sharp, to exactly the size asked and the colour everywhere', async () => {
    const jpeg = await flatJpeg(3000, 2000, colour);
    const meta = await sharp(jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 3000, height: 2000, chromaSubsampling: '4:4:4' });
    // One colour everywhere (each channel's min is its max), within JPEG's rounding of it.
    const { channels } = await sharp(jpeg).stats();
    [colour.r, colour.g, colour.b].forEach((want, i) => {
      expect(channels[i].max).toBe(channels[i].min);
      expect(Math.abs(channels[i].min - want)).toBeLessThanOrEqual(4);
    });
  });

  it('decodes to the same pixels as the encoder makes of the whole image', async () => {
    const [width, height] = [1001, 808];
    const made = await sharp(await flatJpeg(width, height, colour))
      .raw()
      .toBuffer();
    const encoded = await sharp({ create: { width, height, channels: 3, background: colour } })
      .jpeg({ quality: 50, chromaSubsampling: '4:4:4' })
      .toBuffer();
    expect(made.equals(await sharp(encoded).raw().toBuffer())).toBe(true);
  });

  it('refuses a height that is not a whole number of block rows', async () => {
    await expect(flatJpeg(100, 100, colour)).rejects.toThrow(/multiple of 8/);
  });
});
