import { Injectable } from '@nestjs/common';
import { AccessGate, AuthenticationRequiredError, type Principal } from '#users';

/**
 * Authentication as a plain service: the principal of an `Authorization: Bearer <token>`
 * header. AccessGate checks the token and the user's current state (cached per process,
 * dropped on every change). The global guard delegates to it; the tile pipeline calls it.
 */
@Injectable()
export class BearerAuthentication {
  constructor(private readonly accessGate: AccessGate) {}

  /** Throws AuthenticationRequiredError without a bearer token, or what AccessGate finds wrong with it. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const [scheme, token, ...rest] = (authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw new AuthenticationRequiredError();
    return this.accessGate.authenticate(token);
  }
}
