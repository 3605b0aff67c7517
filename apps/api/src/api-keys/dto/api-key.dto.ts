import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKey, type ApiKeyScope } from '#users';
import { SingleLine } from '../../common/single-line.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

export class CreateApiKeyDto {
  @ApiProperty({
    minLength: 1,
    maxLength: API_KEY_NAME_MAX_LENGTH,
    example: 'Nightly import',
    description: 'What the key is for, as you will see it in the list.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(API_KEY_NAME_MAX_LENGTH)
  @SingleLine()
  name!: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    enumName: 'ApiKeyScope',
    isArray: true,
    example: ['read', 'write'],
    description:
      'What the key may do. read: lists, gets, tiles, downloads, event streams. write: uploads, updates, deletes, ' +
      'renditions, shares. admin: the admin routes (only an admin can give it). Never more than you can do.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-12-31T23:59:59Z',
    description: 'When the key stops working (in the future); absent or null: never.',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  expiresAt?: Date | null;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Nightly import' })
  name!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, enumName: 'ApiKeyScope', isArray: true })
  scopes!: ApiKeyScope[];

  @ApiProperty({ example: 'tsk_3kQ9xZ1a', description: 'The start of the secret, to tell keys apart.' })
  hint!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never expires.' })
  expiresAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last request made with the key (to the minute); null: never used.',
  })
  lastUsedAt!: string | null;

  @ApiProperty({ description: 'Past expiresAt: refused until revoked and replaced.' })
  expired!: boolean;

  static from(key: ApiKey, now: Date): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      scopes: [...key.scopes],
      hint: key.hint,
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt?.toISOString() ?? null,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
      expired: key.isExpired(now),
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'tsk_3kQ9xZ1aVb7T0m2Qe8rYw5nU4cJ6hL1dPzKfGs9oXyA',
    description:
      'The secret, shown this once (only its hash is kept). Send it as `Authorization: Bearer <secret>` or ' +
      '`X-API-Key: <secret>`.',
  })
  secret!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Newest first (at most 100 keys per user).' })
  items!: ApiKeyDto[];
}
