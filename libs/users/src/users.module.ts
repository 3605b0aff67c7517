import { Module } from '@nestjs/common';
import { AppConfig } from '#config';
import { Clock, SystemClock } from '#shared-kernel';
import { AccessTokens } from './application/ports/access-tokens.port.js';
import { PasswordHasher } from './application/ports/password-hasher.port.js';
import { AccessGate } from './application/access-gate.service.js';
import { SessionTokens } from './application/session-tokens.service.js';
import { ApiKeysUseCase } from './application/use-cases/api-keys.use-case.js';
import { DeleteUserUseCase } from './application/use-cases/delete-user.use-case.js';
import { CreateAdminUseCase } from './application/use-cases/create-admin.use-case.js';
import { EnsureInitialAdminUseCase } from './application/use-cases/ensure-initial-admin.use-case.js';
import { GetUserUseCase } from './application/use-cases/get-user.use-case.js';
import { ListUsersUseCase } from './application/use-cases/list-users.use-case.js';
import { LoginUseCase } from './application/use-cases/login.use-case.js';
import { LogoutUseCase } from './application/use-cases/logout.use-case.js';
import { RefreshTokensUseCase } from './application/use-cases/refresh-tokens.use-case.js';
import { RegisterUserUseCase } from './application/use-cases/register-user.use-case.js';
import { ResetPasswordUseCase } from './application/use-cases/reset-password.use-case.js';
import { UpdateUserUseCase } from './application/use-cases/update-user.use-case.js';
import { UsersSettings } from './application/users.settings.js';
import { Argon2PasswordHasher } from './infrastructure/argon2-password-hasher.js';
import { JwtAccessTokens } from './infrastructure/jwt-access-tokens.js';

const useCases = [
  RegisterUserUseCase,
  LoginUseCase,
  RefreshTokensUseCase,
  LogoutUseCase,
  GetUserUseCase,
  ListUsersUseCase,
  UpdateUserUseCase,
  DeleteUserUseCase,
  EnsureInitialAdminUseCase,
  ResetPasswordUseCase,
  CreateAdminUseCase,
  ApiKeysUseCase,
];

/**
 * Users, sessions and tokens. Needs AppConfig (ConfigModule) and the UserRepository /
 * RefreshTokenRepository / ApiKeyRepository ports (PersistenceModule) from the app.
 */
@Module({
  providers: [
    ...useCases,
    SessionTokens,
    AccessGate,
    { provide: Clock, useClass: SystemClock },
    { provide: PasswordHasher, useClass: Argon2PasswordHasher },
    { provide: AccessTokens, useClass: JwtAccessTokens },
    {
      provide: UsersSettings,
      inject: [AppConfig],
      useFactory: (config: AppConfig): UsersSettings => ({
        refreshTokenTtlSeconds: config.JWT_REFRESH_TTL_SECONDS,
        accessTokenTtlSeconds: config.JWT_ACCESS_TTL_SECONDS,
        refreshReuseSeconds: config.JWT_REFRESH_REUSE_SECONDS,
        authStateCacheSeconds: config.AUTH_STATE_CACHE_SECONDS,
        initialAdminEmail: config.ADMIN_EMAIL,
        initialAdminPassword: config.ADMIN_PASSWORD,
      }),
    },
  ],
  exports: [...useCases, AccessTokens, AccessGate],
})
export class UsersModule {}
