import { Injectable } from '@nestjs/common';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { AccessGate } from '../access-gate.service.js';
import { UserRepository } from '../ports/user.repository.port.js';

/** Admin deletion of a user and their sessions. The last admin cannot be deleted. */
@Injectable()
export class DeleteUserUseCase {
  constructor(
    private readonly users: UserRepository,
    private readonly gate: AccessGate,
  ) {}

  async execute(id: string): Promise<void> {
    if (!(await this.users.delete(id))) throw new UserNotFoundError();
    // This process refuses the user's tokens and keys at once; the others on the notification.
    this.gate.forget(id);
  }
}
