import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DeleteUserUseCase, GetUserUseCase, ListUsersUseCase, type Principal, UpdateUserUseCase } from '#users';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal, Roles } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto, UserPageDto } from './dto/user.dto.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly getUser: GetUserUseCase,
    private readonly listAllUsers: ListUsersUseCase,
    private readonly updateOneUser: UpdateUserUseCase,
    private readonly deleteOneUser: DeleteUserUseCase,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(404)
  async getCurrentUser(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return UserDto.from(await this.getUser.execute(principal.userId));
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List users, newest first (admin)' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblems(400)
  async listUsers(@Query() query: PageQueryDto): Promise<UserPageDto> {
    const page = await this.listAllUsers.execute({ limit: query.limit, cursor: query.cursor });
    return { items: page.items.map(UserDto.from), nextCursor: page.nextCursor };
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a user\'s role or quotas (admin)', description: 'The last admin cannot be demoted (409 LAST_ADMIN). A null quota resets it to the default.' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(400, 404, 409)
  async updateUser(@UuidParam('id') id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return UserDto.from(await this.updateOneUser.execute({ id, ...body }));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a user and their sessions (admin)',
    description: 'The last admin cannot be deleted (409 LAST_ADMIN), nor a user who still has panoramas (409 USER_HAS_PANORAMAS).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, 404, 409)
  async deleteUser(@UuidParam('id') id: string): Promise<void> {
    await this.deleteOneUser.execute(id);
  }
}
