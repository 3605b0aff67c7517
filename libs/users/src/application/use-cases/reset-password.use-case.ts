import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import { User } from '../../domain/user.js';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { RefreshTokenRepository } from '../ports/refresh-token.repository.port.js';
import { UserRepository } from '../ports/user.repository.port.js';

export interface ResetPasswordInput {
  email: string;
  /** The new password (already checked against the policy); generated when absent. */
  password?: string;
}

/**
 * Operator recovery (`npm run admin -- reset-password <email>`): sets a new password and
 * ends every session of the user, so whoever held the old one is signed out.
 */
@Injectable()
export class ResetPasswordUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async execute(input: ResetPasswordInput): Promise<{ user: User; generatedPassword?: string }> {
    const user = await this.users.findByEmail(User.normaliseEmail(input.email));
    if (!user) throw new UserNotFoundError();
    const generatedPassword = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const now = this.clock.now();
    await this.users.setPasswordHash(user.id, await this.hasher.hash(input.password ?? generatedPassword!), now);
    await this.refreshTokens.revokeAllOfUser(user.id, now);
    return { user, generatedPassword };
  }
}
