export const PASSWORD_MIN_LENGTH = 12;
/** Capped so a megabyte "password" cannot make argon2 (or the parser) work for nothing. */
export const PASSWORD_MAX_LENGTH = 128;

export function isAcceptablePassword(password: string): boolean {
  return password.length >= PASSWORD_MIN_LENGTH && password.length <= PASSWORD_MAX_LENGTH;
}
