import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequestDuration } from '@app/common';
import { quietPath } from './logging';

/** What Express leaves on a request it routed: the matched route's template. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

/**
 * The route template a request matched (`/v1/runs/:id/events`: Nest mounts every route, global
 * prefix included, on the root router), never its url: ids would make a series per case. A
 * request no route took (a 404, a body refused before routing, the OpenAPI page) is `unmatched`.
 */
function routeTemplate(req: RoutedRequest): string {
  const path = req.route?.path;
  return typeof path === 'string' ? path : 'unmatched';
}

/**
 * Times every request into `caseflow_http_request_duration_seconds`, by method, route template and
 * status class, or `aborted` when the client went away before its answer was written. Installed
 * before the body parser, so refused bodies count too; probes and scrapes are left out, as the
 * request log leaves them out.
 */
export function requestMetrics() {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    if (quietPath(req.url)) return next();
    const stopTimer = httpRequestDuration.startTimer();
    res.once('close', () =>
      stopTimer({ method: req.method, route: routeTemplate(req), status: res.writableFinished ? `${Math.floor(res.statusCode / 100)}xx` : 'aborted' }),
    );
    next();
  };
}
