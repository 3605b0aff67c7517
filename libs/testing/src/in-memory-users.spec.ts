import { InMemoryApiKeyRepository, InMemoryRefreshTokenRepository, InMemoryUserRepository } from './in-memory-users.js';
import { usersRepositoryContract } from './users-repository.contract.js';

usersRepositoryContract('in memory (the unit specs use these)', async () => {
  const tokens = new InMemoryRefreshTokenRepository();
  const users = new InMemoryUserRepository(tokens);
  return { users, tokens, apiKeys: new InMemoryApiKeyRepository(users), dispose: async () => undefined };
});
