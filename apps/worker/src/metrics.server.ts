import { createServer, Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CaseflowConfig, collectProcessMetrics, metricsText } from '@app/common';

/**
 * `GET /metrics` of a worker started on its own (`npm run start:worker`), on WORKER_METRICS_PORT:
 * a worker has no HTTP API, and its step and batch figures would otherwise go unseen. Unset, no
 * port is opened. Anything else on the port gets the common error envelope with 404.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;

  constructor(private readonly config: CaseflowConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.WORKER_METRICS_PORT;
    if (port === undefined) return;
    collectProcessMetrics();
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'This port serves GET /metrics only.' } }));
        return;
      }
      metricsText().then(
        ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body),
        (error: Error) => {
          this.logger.error(`Metrics could not be collected: ${error.message}`);
          res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Metrics could not be collected.' } }));
        },
      );
    });
    await new Promise<void>((listening, failed) => server.once('error', failed).listen(port, listening));
    this.server = server;
    this.logger.log(`Worker metrics on http://localhost:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((closed) => server.close(() => closed()));
  }
}
