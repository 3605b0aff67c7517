import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import type { User } from '../../domain/user.js';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { type UserChanges, UserRepository } from '../ports/user.repository.port.js';

export interface UpdateUserInput extends UserChanges {
  id: string;
}

/** Admin change of a user's role or quotas. The last admin cannot be demoted. */
@Injectable()
export class UpdateUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: UpdateUserInput): Promise<User> {
    const { id, ...changes } = input;
    if (!(await this.users.update(id, changes, this.clock.now()))) throw new UserNotFoundError();
    const user = await this.users.findById(input.id);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
