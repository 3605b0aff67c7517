import { InMemoryRefreshTokenRepository, InMemoryUserRepository } from './in-memory-users.js';
import { usersRepositoryContract } from './users-repository.contract.js';

usersRepositoryContract('in memory (the unit specs use these)', async () => {
  const tokens = new InMemoryRefreshTokenRepository();
  return { users: new InMemoryUserRepository(tokens), tokens, dispose: async () => undefined };
});
