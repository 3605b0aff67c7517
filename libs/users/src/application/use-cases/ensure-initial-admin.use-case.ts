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
  /** An admin exists, and ADMIN_PASSWORD (set) is not ADMIN_EMAIL's password: it was not used. */
  | { action: 'password-not-applied'; email: string }
  | { action: 'created'; email: string; generatedPassword?: string }
  | { action: 'promoted'; email: string };

/**
 * Runs at start-up: when no admin exists, the configured ADMIN_EMAIL becomes one (created,
 * or promoted if that user already signed up). With no ADMIN_PASSWORD a strong one is
 * generated and returned so the caller can show it once. ADMIN_PASSWORD only ever sets the
 * first admin's password; when it is set later, the outcome says it was not applied.
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
    const email = User.normaliseEmail(this.settings.initialAdminEmail);
    if ((await this.users.countByRole('admin')) > 0) {
      const password = this.settings.initialAdminPassword;
      if (!password) return { action: 'none' };
      const configured = await this.users.findByEmail(email);
      const applies = configured !== null && (await this.hasher.verify(configured.passwordHash, password));
      return applies ? { action: 'none' } : { action: 'password-not-applied', email };
    }
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
