import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginUseCase, LogoutUseCase, type Principal, RefreshTokensUseCase, RegisterUserUseCase } from '#users';
import { CurrentPrincipal, Public } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { ThrottleCategory } from '../http/throttling/throttle-category.js';
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
  ) {}

  @Post('register')
  @Public()
  @ThrottleCategory('auth')
  @ApiOperation({ summary: 'Create an account (role user)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(400, 409)
  async register(@Body() body: RegisterDto): Promise<UserDto> {
    return UserDto.from(await this.registerUser.execute(body));
  }

  @Post('login')
  @Public()
  @ThrottleCategory('auth')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 401)
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
  @ApiProblems(400, 401)
  refreshTokens(@Body() body: RefreshTokenDto): Promise<TokenPairDto> {
    return this.refreshUserTokens.execute(body);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End the session of a refresh token',
    description: 'Revokes the refresh token and every token rotated from the same login. Access tokens already issued stay valid until they expire.',
  })
  @ApiNoContentResponse({ description: 'Session ended (also when the token was unknown or already revoked).' })
  @ApiProblems(400)
  async logout(@CurrentPrincipal() principal: Principal, @Body() body: RefreshTokenDto): Promise<void> {
    await this.logoutUser.execute({ refreshToken: body.refreshToken, userId: principal.userId });
  }
}
