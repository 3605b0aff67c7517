import { ValidateBy, type ValidationOptions } from 'class-validator';
import { MAX_TAGS, TAG_PATTERN } from '#panoramas';

/** Tags as one comma-separated string (multipart fields, tus metadata), trimmed, empty ones dropped. */
export const splitTags = (value: string): string[] =>
  value
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);

const validTags = (tags: unknown[]) =>
  tags.length <= MAX_TAGS && tags.every((tag) => typeof tag === 'string' && TAG_PATTERN.test(tag));

/** An array of tags, or a comma-separated string of them: each TAG_PATTERN, at most MAX_TAGS. */
export const TagList = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'tagList',
      validator: {
        validate: (value) =>
          validTags(typeof value === 'string' ? splitTags(value) : Array.isArray(value) ? value : [value]),
        defaultMessage: (args) =>
          `${args?.property ?? 'tags'} must be at most ${MAX_TAGS} tags of 1 to 50 letters, digits, spaces, _ . - (starting with a letter or digit)`,
      },
    },
    options,
  );

export const TAGS_DESCRIPTION = `Free labels: at most ${MAX_TAGS}, each 1 to 50 letters, digits, spaces, \`_\`, \`.\`, \`-\`, starting with a letter or digit.`;
