import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { User } from '../../domain/user.js';
import { EmailAlreadyRegisteredError } from '../../domain/users.errors.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { UsersSettings } from '../users.settings.js';

export type InitialAdminOutcome =
  | { action: 'none' }
  | { action: 'created'; email: string; generatedPassword?: string }
  | { action: 'promoted'; email: string };

/**
 * Runs at start-up: when no admin exists, the configured ADMIN_EMAIL becomes one (created,
 * or promoted if that user already signed up). With no ADMIN_PASSWORD a strong one is
 * generated and returned so the caller can show it once.
 */
@Injectable()
export class EnsureInitialAdminUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly settings: UsersSettings,
    private readonly clock: Clock,
  ) {}

  async execute(): Promise<InitialAdminOutcome> {
    if ((await this.users.countByRole('admin')) > 0) return { action: 'none' };
    const email = User.normaliseEmail(this.settings.initialAdminEmail);
    const now = this.clock.now();

    const existing = await this.users.findByEmail(email);
    if (existing) {
      await this.users.update(existing.id, { role: 'admin' }, now);
      return { action: 'promoted', email };
    }

    const generatedPassword = this.settings.initialAdminPassword ? undefined : randomBytes(18).toString('base64url');
    const password = this.settings.initialAdminPassword || generatedPassword!;
    try {
      await this.users.insert(
        new User({
          id: newId(),
          email,
          passwordHash: await this.hasher.hash(password),
          role: 'admin',
          quotaBytes: null,
          quotaPanoramas: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (error instanceof EmailAlreadyRegisteredError) return { action: 'none' };
      throw error;
    }
    return { action: 'created', email, generatedPassword };
  }
}
