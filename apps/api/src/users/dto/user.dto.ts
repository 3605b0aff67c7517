import { ApiProperty } from '@nestjs/swagger';
import type { StorageAccount } from '#panoramas';
import { ROLES, type Role, type User } from '#users';

export class QuotaDto {
  @ApiProperty({
    type: 'integer',
    example: 53687091200,
    description: 'Bytes of originals and renditions this user may store (their override, else QUOTA_BYTES_PER_USER).',
  })
  maxBytes!: number;

  @ApiProperty({
    type: 'integer',
    example: 1000,
    description: 'Panoramas this user may have (their override, else QUOTA_PANORAMAS_PER_USER).',
  })
  maxPanoramas!: number;
}

export class UsageDto {
  @ApiProperty({ type: 'integer', description: 'Panoramas stored (counted against maxPanoramas).' })
  panoramas!: number;

  @ApiProperty({ type: 'integer', description: 'originalBytes + renditionBytes: what counts against maxBytes.' })
  bytes!: number;

  @ApiProperty({ type: 'integer', description: 'Bytes of the uploaded originals.' })
  originalBytes!: number;

  @ApiProperty({ type: 'integer', description: 'Bytes of ready renditions.' })
  renditionBytes!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Bytes of ready tile sets. Shown, not counted: tiles are derived and can be cut again.',
  })
  tileBytes!: number;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role!: Role;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Storage quota override in bytes; null = the default (QUOTA_BYTES_PER_USER).',
  })
  quotaBytes!: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Panorama-count quota override; null = the default (QUOTA_PANORAMAS_PER_USER).',
  })
  quotaPanoramas!: number | null;

  @ApiProperty({ type: QuotaDto, description: 'The quotas in effect (overrides or defaults).' })
  quota!: QuotaDto;

  @ApiProperty({ type: UsageDto, description: 'What this user stores now.' })
  usage!: UsageDto;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(user: User, account: StorageAccount): UserDto {
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      quotaBytes: user.quotaBytes,
      quotaPanoramas: user.quotaPanoramas,
      quota: { ...account.quota },
      usage: { ...account.usage },
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  items!: UserDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
