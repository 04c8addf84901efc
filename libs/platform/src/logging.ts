import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';

/** The process's pino logger, shared by Nest's own logs and the request log. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** JSON lines for machines; readable lines when a person watches a terminal. */
export function createRootLogger(level: string): Pino {
  return pino({
    level,
    transport: process.stdout.isTTY ? { target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } } : undefined,
  });
}

/** Probes and scrapes, many a minute: not worth a line each. */
export const quietPath = (url: string | undefined) => url === '/metrics' || (url ?? '').startsWith('/v1/health');

/**
 * One line per answered request, with its id, method, url, status and time: info, warn for a 4xx,
 * error for a 5xx. Headers are never logged, so API keys and cookies cannot reach the logs.
 *
 * Requests are not bound to an AsyncLocalStorage context, as nestjs-pino's own middleware does so
 * that logs written during a request carry it: on Node 20 and 22 that puts an async hook on every
 * promise of the process, which cost the API about 5% of its CPU under a pipeline's load
 * (docs/performance.md). Few logs are written during a request here, and those of a batch serve
 * several requests at once; the error filter names the request of a 500 itself.
 */
export function requestLogger(logger: Pino) {
  return pinoHttp({
    logger,
    // Built for every request, logged or not: only what the line needs.
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: false,
    autoLogging: { ignore: (req) => quietPath(req.url) },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}
