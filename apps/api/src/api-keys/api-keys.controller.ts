import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysUseCase, type Principal } from '#users';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal, RequiresScope, Roles } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';

/**
 * API keys: a person makes, lists and revokes their own (with a password session: a key
 * cannot mint or see keys); an admin lists and revokes anyone's (a session or an admin key).
 */
@ApiTags('api-keys')
@Controller()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysUseCase) {}

  @Post('api-keys')
  @RequiresScope('session')
  @ApiOperation({
    summary: 'Create an API key (its secret is shown once)',
    description:
      'For programs: send the secret as `Authorization: Bearer <secret>` or `X-API-Key: <secret>`. A key does what ' +
      'its scopes allow and never more than you can; it stops when revoked, expired, or when you are deleted. ' +
      'Needs a signed-in session (403 INSUFFICIENT_SCOPE with a key). At most 100 keys per user.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblems('VALIDATION_FAILED', 'FORBIDDEN', 'API_KEY_LIMIT_REACHED')
  async createApiKey(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { key, secret } = await this.apiKeys.create(principal, body);
    return { ...ApiKeyDto.from(key, new Date()), secret };
  }

  @Get('api-keys')
  @RequiresScope('session')
  @ApiOperation({ summary: 'Your API keys, newest first (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  async listApiKeys(@CurrentPrincipal() principal: Principal): Promise<ApiKeyListDto> {
    return this.listed(await this.apiKeys.list(principal.userId));
  }

  @Delete('api-keys/:id')
  @RequiresScope('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke one of your API keys (refused at once, on every instance)' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'API_KEY_NOT_FOUND')
  async revokeApiKey(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.apiKeys.revoke(principal.userId, id);
  }

  @Get('users/:userId/api-keys')
  @Roles('admin')
  @ApiOperation({ summary: "A user's API keys (admin)" })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiProblems('VALIDATION_FAILED', 'USER_NOT_FOUND')
  async listUserApiKeys(@UuidParam('userId') userId: string): Promise<ApiKeyListDto> {
    return this.listed(await this.apiKeys.listOfUser(userId));
  }

  @Delete('users/:userId/api-keys/:id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Revoke a user's API key (admin)" })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'API_KEY_NOT_FOUND')
  async revokeUserApiKey(@UuidParam('userId') userId: string, @UuidParam('id') id: string): Promise<void> {
    await this.apiKeys.revoke(userId, id);
  }

  private listed(keys: Awaited<ReturnType<ApiKeysUseCase['list']>>): ApiKeyListDto {
    const now = new Date();
    return { items: keys.map((key) => ApiKeyDto.from(key, now)) };
  }
}
