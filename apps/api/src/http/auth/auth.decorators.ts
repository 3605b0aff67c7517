import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { Principal, RequiredScope, Role } from '#users';
import { ApiProblems } from '../problem/api-problems.decorator.js';

export const IS_PUBLIC = 'tessera:isPublic';
export const REQUIRED_ROLES = 'tessera:requiredRoles';
export const REQUIRED_SCOPE = 'tessera:requiredScope';

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
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiProblems('FORBIDDEN'),
    ...(roles.includes('admin') ? [ApiExtension(SCOPE_EXTENSION, 'admin')] : []),
  );

/** The operation's API-key scope in the OpenAPI document (buildOpenApiDocument adds the implied ones). */
export const SCOPE_EXTENSION = 'x-api-key-scope';

/**
 * The API-key scope a route needs when it is not what its method says (requiredScope): a POST
 * that only reads (an archive), a HEAD that is part of an upload, or `session` (no key at all).
 */
export const RequiresScope = (scope: RequiredScope) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), ApiExtension(SCOPE_EXTENSION, scope));

/**
 * What an API key needs for a route: its @RequiresScope, else `admin` on admin routes, else
 * `read` for GET and HEAD and `write` for the rest. A password session passes every scope.
 */
export function requiredScope(
  method: string,
  declared: RequiredScope | undefined,
  roles: readonly Role[] | undefined,
): RequiredScope {
  if (declared) return declared;
  if (roles?.includes('admin')) return 'admin';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

export type AuthenticatedRequest = { principal?: Principal };

/** The principal the access token speaks for (set by JwtAuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
