import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, type RequiredScope, type Role } from '#users';
import {
  type AuthenticatedRequest,
  IS_PUBLIC,
  REQUIRED_ROLES,
  REQUIRED_SCOPE,
  requiredScope,
} from './auth.decorators.js';
import { BearerAuthentication } from './bearer-authentication.js';

/**
 * Global, deny-by-default: every route needs a valid access token or API key unless it is
 * marked @Public(); an API key also needs the route's scope (requiredScope); @Roles(...) adds
 * a role check against the user's current role (a key is never more than its owner).
 * AccessGate checks the token and the user's current state (cached per process, dropped
 * on every change), so deletion, role changes, logout and password resets apply at once.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: BearerAuthentication,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    const scope = this.reflector.getAllAndOverride<RequiredScope | undefined>(REQUIRED_SCOPE, targets);
    request.principal = await this.authentication.authenticate(
      request.headers,
      requiredScope(request.method, scope, roles),
    );

    if (roles && !roles.includes(request.principal.role)) throw new ForbiddenError();
    return true;
  }
}
