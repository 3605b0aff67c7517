import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import {
  AccessGate,
  API_KEY_PREFIX,
  AuthenticationRequiredError,
  InsufficientScopeError,
  type Principal,
  type RequiredScope,
  scopesAllow,
} from '#users';

/** The header an API key may come in instead of `Authorization: Bearer`. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * Authentication as a plain service: the principal of an `Authorization: Bearer <token>`
 * header (an access token, or an API key: they start with `tsk_`) or of an `X-API-Key`
 * header. AccessGate checks the credential and the user's current state (cached per process,
 * dropped on every change). The global guard delegates to it; the tile pipeline calls it.
 */
@Injectable()
export class BearerAuthentication {
  constructor(private readonly accessGate: AccessGate) {}

  /**
   * Throws AuthenticationRequiredError without credentials, what AccessGate finds wrong with
   * them, or InsufficientScopeError when an API key lacks the scope the route needs.
   */
  async authenticate(headers: IncomingHttpHeaders, required: RequiredScope): Promise<Principal> {
    const principal = await this.principal(headers);
    if (!scopesAllow(principal.scopes, required)) throw new InsufficientScopeError(required);
    return principal;
  }

  private principal(headers: IncomingHttpHeaders): Promise<Principal> {
    const apiKey = headers[API_KEY_HEADER];
    if (typeof apiKey === 'string' && apiKey !== '' && headers.authorization === undefined) {
      return this.accessGate.authenticateKey(apiKey.trim());
    }
    const [scheme, token, ...rest] = (headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw new AuthenticationRequiredError();
    return token.startsWith(API_KEY_PREFIX)
      ? this.accessGate.authenticateKey(token)
      : this.accessGate.authenticate(token);
  }
}
