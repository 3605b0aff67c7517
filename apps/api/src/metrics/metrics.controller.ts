import { Controller, Get, Req, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, carriesMetricsToken, PrometheusMetrics } from '#config';
import { AuthenticationRequiredError } from '#users';
import { Public } from '../http/auth/auth.decorators.js';
import { HttpProblem } from '../http/problem/http-problem.js';

/**
 * Prometheus metrics of this process, for its scraper, never public by accident: without
 * METRICS_TOKEN the route does not exist (404 like any unknown route); with it, the scraper
 * sends `Authorization: Bearer <METRICS_TOKEN>`. Not part of the API contract.
 */
@ApiExcludeController()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(
    private readonly config: AppConfig,
    private readonly metrics: PrometheusMetrics,
  ) {}

  @Get()
  @Public()
  async getMetrics(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.METRICS_TOKEN) throw new HttpProblem(404, 'NOT_FOUND', `Cannot GET ${req.path}`);
    if (!carriesMetricsToken(req.headers.authorization, this.config.METRICS_TOKEN)) {
      throw new AuthenticationRequiredError();
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(this.metrics.registry.contentType).send(await this.metrics.scrape());
  }
}
