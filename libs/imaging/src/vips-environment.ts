// Imported before sharp (ES modules evaluate imports in order), so libvips starts with
// every loader it marks "untrusted" (the less-hardened ones) disabled.
process.env.VIPS_BLOCK_UNTRUSTED = '1';
export {};
