import { EntityManager } from '@mikro-orm/postgresql';
import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  Injectable,
  ServiceUnavailableException,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ObjectStorage } from '#shared-kernel';
import { Public } from '../http/auth/auth.decorators.js';
import { ApiProblems } from '../http/problem/api-problems.decorator.js';

/** Flips to draining when shutdown starts, so readiness fails before the server closes. */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

const PING_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly em: EntityManager,
    private readonly storage: ObjectStorage,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: 'Alive.' })
  getLiveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: dependencies reachable and not shutting down' })
  @ApiOkResponse({ description: 'Ready to take traffic.' })
  @ApiProblems('SERVICE_UNAVAILABLE')
  async getReadiness() {
    try {
      return await this.health.check([
        () => this.checkLifecycle(),
        () => this.checkDatabase(),
        () => this.checkStorage(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const failing = Object.entries(result.error ?? {}).map(
        ([name, check]) => `${name} ${String(check?.message ?? 'down')}`,
      );
      throw new ServiceUnavailableException(`Not ready: ${failing.join(', ')}.`);
    }
  }

  private checkLifecycle() {
    const check = this.indicators.check('lifecycle');
    return this.lifecycle.draining ? check.down({ message: 'shutting down' }) : check.up();
  }

  private checkDatabase() {
    return this.probe('database', () => this.em.getConnection().execute('select 1'));
  }

  private checkStorage() {
    return this.probe('storage', () => this.storage.checkHealth());
  }

  private async probe(name: string, ping: () => Promise<unknown>) {
    const check = this.indicators.check(name);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS))),
      ]);
      return check.up();
    } catch {
      return check.down({ message: 'unreachable' });
    } finally {
      clearTimeout(timer);
    }
  }
}
