import { Injectable } from '@nestjs/common';
import type { User } from '../../domain/user.js';
import { UserNotFoundError } from '../../domain/users.errors.js';
import { UserRepository } from '../ports/user.repository.port.js';

@Injectable()
export class GetUserUseCase {
  constructor(private readonly users: UserRepository) {}

  async execute(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
