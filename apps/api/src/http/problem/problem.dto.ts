import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class InvalidFieldDto {
  @ApiProperty({ example: 'email', description: 'Path of the invalid field (dot-separated for nested fields).' })
  field!: string;

  @ApiProperty({ example: 'email must be an email', description: 'What is wrong with it.' })
  message!: string;
}

/** RFC 9457 problem details, as every error response of this API is shaped. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:tessera:problem:validation-failed', description: 'URI identifying the problem type.' })
  type!: string;

  @ApiProperty({ example: 'Bad Request', description: 'Short summary of the problem type.' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 400, description: 'HTTP status code.' })
  status!: number;

  @ApiProperty({ example: 'The request body is invalid.', description: 'Explanation of this occurrence.' })
  detail!: string;

  @ApiProperty({ example: '/v1/auth/register', description: 'The request path this problem occurred on.' })
  instance!: string;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable error code.' })
  code!: string;

  @ApiPropertyOptional({
    example: '3f0c8a2e-6c61-4a0e-9a3e-0f6d0e1b2c3d',
    description: 'Request id, also in the X-Request-Id header and the logs.',
  })
  requestId?: string;

  @ApiPropertyOptional({ type: [InvalidFieldDto], description: 'The invalid fields (validation errors only).' })
  errors?: InvalidFieldDto[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
