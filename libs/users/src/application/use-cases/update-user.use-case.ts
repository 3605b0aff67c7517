import { Injectable } from '@nestjs/common';
import { Clock } from '#shared-kernel';
import type { Role } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { UserRepository } from '../ports/user.repository.port.js';

export interface UpdateUserInput {
  id: string;
  role?: Role;
}

/** Admin change of a user's role. The last admin cannot be demoted. */
@Injectable()
export class UpdateUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: UpdateUserInput): Promise<User> {
    if (input.role !== undefined && !(await this.users.updateRole(input.id, input.role, this.clock.now()))) {
      throw new UserNotFoundError();
    }
    const user = await this.users.findById(input.id);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
