import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_URL_MAX_LENGTH,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from '#webhooks';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { SingleLine } from '../../common/single-line.js';

const URL_FIELD = {
  maxLength: WEBHOOK_URL_MAX_LENGTH,
  format: 'uri',
  example: 'https://example.com/hooks/tessera',
  description:
    'Where events are POSTed (http or https). Loopback, link-local and private addresses are refused unless ' +
    'WEBHOOK_ALLOWED_CIDRS names them; a host name is checked each time it is resolved. Redirects are not followed.',
} as const;
const EVENTS_FIELD = {
  enum: WEBHOOK_EVENT_TYPES,
  enumName: 'WebhookEventType',
  isArray: true,
  example: ['tileset.ready', 'tileset.failed', 'collection.completed'],
  description: 'The events to send.',
} as const;
const url = () => [
  IsString(),
  MaxLength(WEBHOOK_URL_MAX_LENGTH),
  IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }),
];
const events = () => [
  IsArray(),
  ArrayMinSize(1),
  ArrayMaxSize(WEBHOOK_EVENT_TYPES.length),
  ArrayUnique(),
  IsIn(WEBHOOK_EVENT_TYPES, { each: true }),
];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

export class CreateWebhookDto {
  @ApiProperty(URL_FIELD)
  @apply(url())
  url!: string;

  @ApiProperty(EVENTS_FIELD)
  @apply(events())
  events!: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 200, example: 'Nightly import', description: 'What it is for.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @SingleLine()
  description?: string;

  @ApiPropertyOptional({
    default: false,
    description: "Admins only: every user's events, not just your own.",
  })
  @IsOptional()
  @IsBoolean()
  allUsers?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional(URL_FIELD)
  @IsOptional()
  @apply(url())
  url?: string;

  @ApiPropertyOptional(EVENTS_FIELD)
  @IsOptional()
  @apply(events())
  events?: WebhookEventType[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, description: 'null or empty removes it.' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MaxLength(200)
  @SingleLine()
  description?: string | null;

  @ApiPropertyOptional({ description: 'false: no new deliveries; pending ones fail (and can be replayed).' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uri' })
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, enumName: 'WebhookEventType', isArray: true })
  events!: WebhookEventType[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty()
  allUsers!: boolean;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(endpoint: WebhookEndpoint): WebhookDto {
    const p = endpoint.props;
    return {
      id: p.id,
      url: p.url,
      events: [...p.events],
      description: p.description,
      allUsers: p.allUsers,
      enabled: p.enabled,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret (Standard Webhooks), shown this once. Verify each delivery with any Standard Webhooks ' +
      'library (npm `standardwebhooks`: `new Webhook(secret).verify(body, headers)`).',
  })
  secret!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto], description: 'Newest first (at most 20 per user).' })
  items!: WebhookDto[];
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The `webhook-id` the receiver saw (the same on a replay).' })
  eventId!: string;

  @ApiProperty({ example: 'tileset.ready' })
  eventType!: string;

  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  status!: DeliveryStatus;

  @ApiProperty({ type: 'integer' })
  attempts!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: "The receiver's last status code; null: none came." })
  lastStatusCode!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'no answer within 10 s' })
  lastError!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'How long the last attempt took (ms).' })
  durationMs!: number | null;

  @ApiProperty({ format: 'date-time', description: 'When the next attempt is due (pending deliveries).' })
  nextAttemptAt!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt!: string | null;

  static from(d: WebhookDelivery): WebhookDeliveryDto {
    return {
      id: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      durationMs: d.lastDurationMs,
      nextAttemptAt: d.nextAttemptAt.toISOString(),
      createdAt: d.createdAt.toISOString(),
      completedAt: d.completedAt?.toISOString() ?? null,
    };
  }
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] })
  items!: WebhookDeliveryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
