import { Injectable } from '@nestjs/common';
import type { Page, PageRequest } from '#shared-kernel';
import type { User } from '../../domain/user.js';
import { UserRepository } from '../ports/user.repository.port.js';

@Injectable()
export class ListUsersUseCase {
  constructor(private readonly users: UserRepository) {}

  execute(page: PageRequest): Promise<Page<User>> {
    return this.users.list(page);
  }
}
