import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { Principal, Role } from '#users';
import { ApiProblems } from '../problem/api-problems.decorator.js';

export const IS_PUBLIC = 'tessera:isPublic';
export const REQUIRED_ROLES = 'tessera:requiredRoles';

/**
 * Every route is authenticated by default, in the guard (JwtAuthGuard) and in the spec (a
 * global bearer requirement plus a 401 answer, added by buildOpenApiDocument). @Public()
 * flips both: the guard lets the request through, and the operation gets `security: []`.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity(PUBLIC_SECURITY_MARKER));
/** Placeholder security entry that buildOpenApiDocument turns into `security: []`. */
export const PUBLIC_SECURITY_MARKER = 'public';

/** Restricts a route to the given roles (403 otherwise) and documents the 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiProblems('FORBIDDEN'));

export type AuthenticatedRequest = { principal?: Principal };

/** The principal the access token speaks for (set by JwtAuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
