import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidCredentialsError } from '../../domain/users.errors.js';
import { User } from '../../domain/user.js';
import { PasswordHasher } from '../ports/password-hasher.port.js';
import { UserRepository } from '../ports/user.repository.port.js';
import { SessionTokens, type TokenPair } from '../session-tokens.service.js';

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * Password sign-in. An unknown email costs the same hash verification as a wrong password
 * and ends in the same error, so neither the answer nor its timing tells which it was.
 */
@Injectable()
export class LoginUseCase implements OnModuleInit {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionTokens,
  ) {}

  onModuleInit(): void {
    this.dummyHash = this.hasher.hash('timing-equaliser-not-a-password');
  }

  async execute(input: LoginInput): Promise<TokenPair> {
    const user = await this.users.findByEmail(User.normaliseEmail(input.email));
    this.dummyHash ??= this.hasher.hash('timing-equaliser-not-a-password');
    const valid = await this.hasher.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !valid) throw new InvalidCredentialsError();
    return this.sessions.start(user);
  }
}
