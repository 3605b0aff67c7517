import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StorageAccountsUseCase } from '#panoramas';
import { LoginUseCase, LogoutUseCase, type Principal, RefreshTokensUseCase, RegisterUserUseCase } from '#users';
import { CurrentPrincipal, Public, RequiresScope } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { ThrottleAccount, ThrottleCategory } from '../http/throttling/throttle-category.js';
import { UserDto } from '../users/dto/user.dto.js';
import { LoginDto, RefreshTokenDto, RegisterDto } from './dto/credentials.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registerUser: RegisterUserUseCase,
    private readonly loginUser: LoginUseCase,
    private readonly refreshUserTokens: RefreshTokensUseCase,
    private readonly logoutUser: LogoutUseCase,
    private readonly accounts: StorageAccountsUseCase,
  ) {}

  @Post('register')
  @Public()
  @ThrottleCategory('auth')
  @ApiOperation({ summary: 'Create an account (role user)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems('VALIDATION_FAILED', 'EMAIL_ALREADY_REGISTERED')
  async register(@Body() body: RegisterDto): Promise<UserDto> {
    const user = await this.registerUser.execute(body);
    return UserDto.from(user, (await this.accounts.execute([user.id])).get(user.id)!);
  }

  @Post('login')
  @Public()
  @ThrottleCategory('auth')
  @ThrottleAccount()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CREDENTIALS')
  login(@Body() body: LoginDto): Promise<TokenPairDto> {
    return this.loginUser.execute(body);
  }

  @Post('refresh')
  @Public()
  @ThrottleCategory('auth')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description: 'The refresh token is single-use. Presenting one that was already used revokes the whole session.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_REFRESH_TOKEN')
  refreshTokens(@Body() body: RefreshTokenDto): Promise<TokenPairDto> {
    return this.refreshUserTokens.execute(body);
  }

  @Post('logout')
  @RequiresScope('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description:
      'Revokes the refresh token and every token rotated from the same login. Access tokens already issued stay valid until they expire.',
  })
  @ApiNoContentResponse({ description: 'Session ended (also when the token was unknown or already revoked).' })
  @ApiProblems('VALIDATION_FAILED')
  async logout(@CurrentPrincipal() principal: Principal, @Body() body: RefreshTokenDto): Promise<void> {
    await this.logoutUser.execute({ refreshToken: body.refreshToken, userId: principal.userId });
  }
}
