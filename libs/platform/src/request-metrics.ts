import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequestDuration } from '@app/common';

/** What Express leaves on a request it routed: the mount path and the matched route's template. */
type RoutedRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/**
 * The route template a request matched (`/v1/runs/:id/events`), never its url: ids would make a
 * series per case. A request no route took (a 404, a body refused before routing) is `unmatched`.
 */
export function routeTemplate(req: RoutedRequest): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}

/**
 * Times every answer into `caseflow_http_request_duration_seconds`, by method, route template and
 * status class. Installed before the body parser, so refused bodies count too; `GET /metrics`
 * itself is left out, as the request log leaves it out.
 */
export function requestMetrics() {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    if (req.url === '/metrics') return next();
    const stopTimer = httpRequestDuration.startTimer();
    res.once('finish', () => stopTimer({ method: req.method, route: routeTemplate(req), status: `${Math.floor(res.statusCode / 100)}xx` }));
    next();
  };
}
