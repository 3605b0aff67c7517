import { Injectable } from '@nestjs/common';
import { Clock, newId } from '#shared-kernel';
import { User } from '../../domain/user.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { UserRepository } from '../ports/user.repository.port.js';

export interface RegisterUserInput {
  email: string;
  password: string;
}

/** Self-service sign-up. New users always get the `user` role. */
@Injectable()
export class RegisterUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async execute(input: RegisterUserInput): Promise<User> {
    const now = this.clock.now();
    const user = new User({
      id: newId(),
      email: User.normaliseEmail(input.email),
      passwordHash: await this.hasher.hash(input.password),
      role: 'user',
      quotaBytes: null,
      quotaPanoramas: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.users.insert(user);
    return user;
  }
}
