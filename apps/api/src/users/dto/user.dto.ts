import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role, type User } from '#users';

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role!: Role;

  @ApiProperty({ type: Number, nullable: true, description: 'Storage quota override in bytes; null = the default (QUOTA_BYTES_PER_USER).' })
  quotaBytes!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Panorama-count quota override; null = the default (QUOTA_PANORAMAS_PER_USER).' })
  quotaPanoramas!: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      quotaBytes: user.quotaBytes,
      quotaPanoramas: user.quotaPanoramas,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  items!: UserDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}
