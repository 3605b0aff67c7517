import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StorageAccountsUseCase } from '#panoramas';
import {
  DeleteUserUseCase,
  GetUserUseCase,
  ListUsersUseCase,
  type Principal,
  UpdateUserUseCase,
  type User,
} from '#users';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal, Roles } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto, UserPageDto } from './dto/user.dto.js';
import { StaleOk } from '../http/read-replicas.interceptors.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly getUser: GetUserUseCase,
    private readonly listAllUsers: ListUsersUseCase,
    private readonly updateOneUser: UpdateUserUseCase,
    private readonly deleteOneUser: DeleteUserUseCase,
    private readonly accounts: StorageAccountsUseCase,
  ) {}

  /** Users with their quotas and usage (two queries for a whole page). */
  private async withAccounts(users: User[]): Promise<UserDto[]> {
    const accounts = await this.accounts.execute(users.map((u) => u.id));
    return users.map((u) => UserDto.from(u, accounts.get(u.id)!));
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, with quotas in effect and storage used' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems('USER_NOT_FOUND')
  async getCurrentUser(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return (await this.withAccounts([await this.getUser.execute(principal.userId)]))[0];
  }

  @Get()
  @StaleOk()
  @Roles('admin')
  @ApiOperation({ summary: 'List users with their quotas and usage, newest first (admin)' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CURSOR')
  async listUsers(@Query() query: PageQueryDto): Promise<UserPageDto> {
    const page = await this.listAllUsers.execute({ limit: query.limit, cursor: query.cursor });
    return { items: await this.withAccounts(page.items), nextCursor: page.nextCursor };
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: "Change a user's role or quotas (admin)",
    description: 'The last admin cannot be demoted (409 LAST_ADMIN). A null quota resets it to the default.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems('VALIDATION_FAILED', 'USER_NOT_FOUND', 'LAST_ADMIN')
  async updateUser(@UuidParam('id') id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return (await this.withAccounts([await this.updateOneUser.execute({ id, ...body })]))[0];
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a user and their sessions (admin)',
    description:
      'The last admin cannot be deleted (409 LAST_ADMIN), nor a user who still has panoramas (409 USER_HAS_PANORAMAS).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems('VALIDATION_FAILED', 'USER_NOT_FOUND', 'LAST_ADMIN', 'USER_HAS_PANORAMAS')
  async deleteUser(@UuidParam('id') id: string): Promise<void> {
    await this.deleteOneUser.execute(id);
  }
}
