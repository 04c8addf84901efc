import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Nest's Express adapter, with each request and response built on Express's own prototypes.
 *
 * Express 5 moves every request and response onto its prototypes with `Object.setPrototypeOf`.
 * On Node 20 (V8 11.3) that gives each of them a hidden class of its own: the class the move
 * leads to forgets which fields were already reassigned, so the next write to `destroyed`,
 * `complete` or `finished` builds a new one. Every request then left new hidden classes and
 * descriptor arrays in the old generation, a full garbage collection every 1.5 s at 550 status
 * updates/s, with each one the slowest answers of that moment; and every property access in
 * Express, Nest and the route missed its cache. Built on those prototypes from the start,
 * Express's move does nothing, and requests share their hidden classes (docs/performance.md).
 */
export class HttpAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and connection tracking stay Nest's own.
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      {
        IncomingMessage: constructing<typeof IncomingMessage>(IncomingMessage, app.request),
        ServerResponse: constructing<typeof ServerResponse>(ServerResponse, app.response),
      },
      app,
    );
  }
}

/**
 * A constructor that runs `base` on an object whose prototype is `prototype` (which extends
 * base's). Node's IncomingMessage and ServerResponse are plain functions, so `base.apply(this)`
 * runs them as a subclass's constructor would; `Reflect.construct(base, args, Constructed)` would
 * not do: V8 then derives a new hidden class for every object it makes. Should they become
 * classes, which cannot be applied, Express's own move is kept.
 */
function constructing<T extends abstract new (...args: never[]) => object>(base: T, prototype: object): T {
  if (Function.prototype.toString.call(base).startsWith('class')) return base;
  const run = base as unknown as (this: object, ...args: unknown[]) => void;
  function Constructed(this: object, ...args: unknown[]) {
    run.apply(this, args);
  }
  Constructed.prototype = prototype;
  return Constructed as unknown as T;
}
