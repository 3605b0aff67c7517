import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '#users';
import { WebhookDeliveriesUseCase, WebhookEndpointsUseCase } from '#webhooks';
import { UuidParam } from '../common/uuid-param.js';
import { CurrentPrincipal } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveryQueryDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookListDto,
} from './dto/webhook.dto.js';

/**
 * Webhook endpoints and their delivery log. Deliveries are POSTs signed the Standard Webhooks
 * way (`webhook-id`, `webhook-timestamp`, `webhook-signature`), sent from the job queue with
 * retries, in order per panorama (or collection).
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsUseCase,
    private readonly deliveries: WebhookDeliveriesUseCase,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint (its signing secret is shown once)',
    description:
      'Each event is POSTed as `{type, timestamp, data}` with the Standard Webhooks headers; a 2xx answer within ' +
      'WEBHOOK_TIMEOUT_SECONDS is a delivery, anything else is retried with backoff (WEBHOOK_MAX_ATTEMPTS), in order ' +
      "per panorama. `allUsers` (admins): every user's events.",
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiProblems('VALIDATION_FAILED', 'FORBIDDEN', 'WEBHOOK_URL_FORBIDDEN', 'WEBHOOK_LIMIT_REACHED')
  async createWebhook(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookDto,
  ): Promise<CreatedWebhookDto> {
    const endpoint = await this.endpoints.create(principal, body);
    return { ...WebhookDto.from(endpoint), secret: endpoint.props.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Your webhook endpoints, newest first' })
  @ApiOkResponse({ type: WebhookListDto })
  async listWebhooks(@CurrentPrincipal() principal: Principal): Promise<WebhookListDto> {
    return { items: (await this.endpoints.list(principal.userId)).map((e) => WebhookDto.from(e)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your webhook endpoints' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND')
  async getWebhook(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.endpoints.get(principal.userId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a webhook endpoint (URL, events, description, enabled)' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND', 'WEBHOOK_URL_FORBIDDEN')
  async updateWebhook(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return WebhookDto.from(await this.endpoints.update(principal.userId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND')
  async deleteWebhook(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string): Promise<void> {
    await this.endpoints.delete(principal.userId, id);
  }

  @Post(':id/ping')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send a test event (webhook.ping) now and answer how it went',
    description: 'Sent at once, not queued and not retried; logged with the other deliveries.',
  })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND')
  async pingWebhook(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await this.deliveries.ping(principal.userId, id));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook endpoint's deliveries, newest first" })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND', 'INVALID_CURSOR')
  async listWebhookDeliveries(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    const page = await this.deliveries.list(
      principal.userId,
      id,
      { limit: query.limit, cursor: query.cursor },
      query.status,
    );
    return { items: page.items.map((d) => WebhookDeliveryDto.from(d)), nextCursor: page.nextCursor };
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again (the same event and webhook-id), queued like the others',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'Queued.' })
  @ApiProblems('VALIDATION_FAILED', 'WEBHOOK_NOT_FOUND', 'WEBHOOK_DELIVERY_NOT_FOUND')
  async replayWebhookDelivery(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return WebhookDeliveryDto.from(await this.deliveries.replay(principal.userId, id, deliveryId));
  }
}
