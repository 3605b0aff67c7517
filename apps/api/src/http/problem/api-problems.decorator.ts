import type { ProblemCode } from './error-status.js';

/** operationId (= controller method name) -> the problem codes its route declares. */
const declared = new Map<string, Set<ProblemCode>>();

/**
 * Declares the problem codes an operation can answer with, beyond those every operation
 * can (see implicitProblemCodes). buildOpenApiDocument turns them into one problem+json
 * response per status, with `code` as an enum and an example per code; in tests, the
 * problem filter flags any answer whose code an operation did not declare.
 */
export function ApiProblems(...codes: ProblemCode[]): MethodDecorator {
  return (_target, key) => {
    const codesOfOperation = declared.get(String(key)) ?? new Set<ProblemCode>();
    for (const code of codes) codesOfOperation.add(code);
    declared.set(String(key), codesOfOperation);
  };
}

export function declaredProblemCodes(operationId: string): ReadonlySet<ProblemCode> {
  return declared.get(operationId) ?? new Set();
}

/** Codes any operation can answer with: throttling, outages, bugs, credentials, bad JSON. */
export function implicitProblemCodes(operation: { authenticated: boolean; jsonBody: boolean }): ProblemCode[] {
  return [
    'TOO_MANY_REQUESTS',
    'INTERNAL_ERROR',
    'DATABASE_UNAVAILABLE',
    ...(operation.authenticated
      ? (['AUTHENTICATION_REQUIRED', 'INVALID_ACCESS_TOKEN', 'INVALID_API_KEY', 'INSUFFICIENT_SCOPE'] as const)
      : []),
    ...(operation.jsonBody ? (['MALFORMED_BODY', 'PAYLOAD_TOO_LARGE'] as const) : []),
  ];
}
