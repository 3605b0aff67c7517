import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE, ProblemDto } from './problem.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (malformed body, unknown or invalid fields, bad parameters).',
  401: 'Missing, invalid or expired credentials.',
  403: 'Authenticated, but the role does not allow this.',
  404: 'No such resource (or not yours).',
  409: 'Conflicts with the current state.',
  413: 'Request body too large.',
  415: 'Unsupported media type.',
  422: 'Well-formed but unprocessable.',
  429: 'Too many requests; retry after the number of seconds in Retry-After.',
  503: 'A dependency is unavailable; retry later.',
};

/** Documents problem+json responses for the given statuses (500 is documented globally). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? STATUS_CODES[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
        ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
        ...(status === 401 ? { headers: { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } } } : {}),
      }),
    ),
  );
}
