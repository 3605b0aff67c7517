import { Injectable } from '@nestjs/common';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { UserRepository } from '../ports/user.repository.port.js';

/** Admin deletion of a user and their sessions. The last admin cannot be deleted. */
@Injectable()
export class DeleteUserUseCase {
  constructor(private readonly users: UserRepository) {}

  async execute(id: string): Promise<void> {
    if (!(await this.users.delete(id))) throw new UserNotFoundError();
  }
}
