import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CheckFullIntegrityUseCase } from '#workflows';
import { Roles } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import { RequestValidationError } from '../http/problem/request-validation.error.js';
import { CheckIntegrityDto, IntegrityReportDto } from './dto/integrity.dto.js';

@ApiTags('admin')
@Controller('admin')
export class IntegrityController {
  constructor(private readonly check: CheckFullIntegrityUseCase) {}

  @Post('integrity')
  @HttpCode(HttpStatus.OK)
  @Roles('admin')
  @ApiOperation({
    summary: 'Verify stored objects against their recorded size and SHA-256',
    description:
      'Reads every original, every tile of ready tile sets and every ready rendition in scope and reports each damaged or missing object by its key. With `repair`, damaged tile sets and renditions are made again or marked failed. Reads everything in scope: for a whole large installation prefer `npm run integrity`.',
  })
  @ApiOkResponse({ type: IntegrityReportDto })
  @ApiProblems('VALIDATION_FAILED', 'PANORAMA_NOT_FOUND', 'TILE_SET_NOT_FOUND', 'STORAGE_UNAVAILABLE')
  async checkIntegrity(@Body() body: CheckIntegrityDto): Promise<IntegrityReportDto> {
    if (body.tileSetId && body.panoramaId) {
      throw new RequestValidationError([{ field: 'panoramaId', message: 'give tileSetId or panoramaId, not both' }]);
    }
    const report = await this.check.execute({ tileSetId: body.tileSetId, panoramaId: body.panoramaId }, body.repair);
    return IntegrityReportDto.from(report);
  }
}
