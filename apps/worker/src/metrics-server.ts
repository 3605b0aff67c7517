import { createServer, type Server } from 'node:http';
import { type AppConfig, carriesMetricsToken, type PrometheusMetrics } from '#config';

/**
 * A worker serves no HTTP, except its metrics when METRICS_TOKEN and METRICS_WORKER_PORT are
 * both set: GET /metrics with `Authorization: Bearer <METRICS_TOKEN>` on that port.
 */
export function serveWorkerMetrics(metrics: PrometheusMetrics, config: AppConfig): Promise<Server | undefined> {
  const token = config.METRICS_TOKEN;
  if (!token || !config.METRICS_WORKER_PORT) return Promise.resolve(undefined);
  const server = createServer((req, res) => {
    const answer = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    if (req.method !== 'GET' || req.url !== '/metrics') return answer(404, 'not found\n');
    if (!carriesMetricsToken(req.headers.authorization, token)) return answer(401, 'unauthorized\n');
    metrics.scrape().then(
      (text) => answer(200, text, metrics.registry.contentType),
      () => answer(500, 'metrics unavailable\n'),
    );
  });
  return new Promise((resolve) => server.listen(config.METRICS_WORKER_PORT, config.HOST, () => resolve(server)));
}
