import { DomainError } from '#shared-kernel';
import type { RequiredScope } from './api-key.js';

export const USERS_ERROR_CODES = [
  'USER_NOT_FOUND',
  'EMAIL_ALREADY_REGISTERED',
  'INVALID_CREDENTIALS',
  'INVALID_REFRESH_TOKEN',
  'INVALID_ACCESS_TOKEN',
  'AUTHENTICATION_REQUIRED',
  'FORBIDDEN',
  'LAST_ADMIN',
  'USER_HAS_PANORAMAS',
  'INVALID_API_KEY',
  'INSUFFICIENT_SCOPE',
  'API_KEY_NOT_FOUND',
  'API_KEY_LIMIT_REACHED',
] as const;
export type UsersErrorCode = (typeof USERS_ERROR_CODES)[number];

/** This module's errors: `code` is one of its list. */
export abstract class UsersError extends DomainError {
  abstract override readonly code: UsersErrorCode;
}

export class UserNotFoundError extends UsersError {
  readonly code = 'USER_NOT_FOUND';
  constructor() {
    super('No user with this id exists.');
  }
}

export class EmailAlreadyRegisteredError extends UsersError {
  readonly code = 'EMAIL_ALREADY_REGISTERED';
  constructor() {
    super('A user with this email address is already registered.');
  }
}

/** Same error, same message for an unknown email and for a wrong password. */
export class InvalidCredentialsError extends UsersError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The email address or password is incorrect.');
  }
}

export class InvalidRefreshTokenError extends UsersError {
  readonly code = 'INVALID_REFRESH_TOKEN';
  constructor() {
    super('The refresh token is invalid, expired or revoked. Sign in again.');
  }
}

export class InvalidAccessTokenError extends UsersError {
  readonly code = 'INVALID_ACCESS_TOKEN';
  constructor() {
    super('The access token is invalid or expired.');
  }
}

export class AuthenticationRequiredError extends UsersError {
  readonly code = 'AUTHENTICATION_REQUIRED';
  constructor() {
    super('This operation needs a bearer access token or an API key.');
  }
}

export class ForbiddenError extends UsersError {
  readonly code = 'FORBIDDEN';
  constructor() {
    super('Your role does not allow this operation.');
  }
}

export class LastAdminError extends UsersError {
  readonly code = 'LAST_ADMIN';
  constructor() {
    super('This is the last administrator; promote another user first.');
  }
}

/** Their stored panoramas must be deleted first: a user is never removed leaving files behind. */
export class UserHasPanoramasError extends UsersError {
  readonly code = 'USER_HAS_PANORAMAS';
  constructor() {
    super('This user still has panoramas; delete them first.');
  }
}

/** Unknown, revoked, expired or malformed: one answer, so a guess learns nothing. */
export class InvalidApiKeyError extends UsersError {
  readonly code = 'INVALID_API_KEY';
  constructor() {
    super('The API key is invalid, expired or revoked.');
  }
}

export class InsufficientScopeError extends UsersError {
  readonly code = 'INSUFFICIENT_SCOPE';
  constructor(required: RequiredScope) {
    super(
      required === 'session'
        ? 'API keys are managed by a signed-in person, not with an API key.'
        : `This API key lacks the "${required}" scope this operation needs.`,
    );
  }
}

export class ApiKeyNotFoundError extends UsersError {
  readonly code = 'API_KEY_NOT_FOUND';
  constructor() {
    super('No API key with this id exists.');
  }
}

export class ApiKeyLimitReachedError extends UsersError {
  readonly code = 'API_KEY_LIMIT_REACHED';
  constructor(limit: number) {
    super(`A user has at most ${limit} API keys; revoke one first.`);
  }
}
