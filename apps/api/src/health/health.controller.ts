import { EntityManager } from '@mikro-orm/postgresql';
import { type BeforeApplicationShutdown, Controller, Get, Injectable, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
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

const DB_PING_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly em: EntityManager,
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
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: dependencies reachable and not shutting down' })
  @ApiOkResponse({ description: 'Ready to take traffic.' })
  @ApiProblems(503)
  getReadiness() {
    return this.health.check([() => this.checkLifecycle(), () => this.checkDatabase()]);
  }

  private checkLifecycle() {
    const check = this.indicators.check('lifecycle');
    return this.lifecycle.draining ? check.down({ message: 'shutting down' }) : check.up();
  }

  private async checkDatabase() {
    const check = this.indicators.check('database');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.em.getConnection().execute('select 1'),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), DB_PING_TIMEOUT_MS))),
      ]);
      return check.up();
    } catch {
      return check.down({ message: 'database unreachable' });
    } finally {
      clearTimeout(timer);
    }
  }
}
