import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A string without line breaks or tabs (titles, email addresses): one line of text. */
export const SingleLine = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'singleLine',
      validator: {
        validate: (value) => typeof value !== 'string' || !/[\t\n\r\u2028\u2029]/.test(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a single line`,
      },
    },
    options,
  );
