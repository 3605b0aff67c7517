import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { User } from '../../domain/user.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { UserRepository } from '../ports/user.repository.port.js';

export interface CreateAdminInput {
  email: string;
  /** For a new account (already checked against the policy); generated when absent. */
  password?: string;
}

export type CreateAdminOutcome =
  | { action: 'created'; user: User; generatedPassword?: string }
  | { action: 'promoted'; user: User }
  | { action: 'unchanged'; user: User };

/**
 * Operator recovery (`npm run admin -- create-admin <email>`): a new admin account, or an
 * existing account promoted to admin (its password unchanged).
 */
@Injectable()
export class CreateAdminUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async execute(input: CreateAdminInput): Promise<CreateAdminOutcome> {
    const email = User.normaliseEmail(input.email);
    const now = this.clock.now();
    const existing = await this.users.findByEmail(email);
    if (existing?.role === 'admin') return { action: 'unchanged', user: existing };
    if (existing) {
      await this.users.update(existing.id, { role: 'admin' }, now);
      return { action: 'promoted', user: { ...existing, role: 'admin' } };
    }
    const generatedPassword = input.password === undefined ? randomBytes(18).toString('base64url') : undefined;
    const user = new User({
      id: newId(),
      email,
      passwordHash: await this.hasher.hash(input.password ?? generatedPassword!),
      role: 'admin',
      quotaBytes: null,
      quotaPanoramas: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.users.insert(user);
    return { action: 'created', user, generatedPassword };
  }
}
