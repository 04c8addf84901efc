import type { Express } from 'express';
import { IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HttpAdapter } from './http-adapter';

describe('HttpAdapter', () => {
  let adapter: HttpAdapter;
  let server: Server;
  let app: Express;

  beforeAll(async () => {
    adapter = new HttpAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<Express>();
    app.get('/hello', (req, res) => {
      res.status(201).json({ path: req.path, isRequest: req instanceof IncomingMessage, isResponse: res instanceof ServerResponse });
    });
    server = adapter.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (path: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      httpRequest({ host: '127.0.0.1', port, path }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode as number, body: JSON.parse(text) }));
      })
        .on('error', reject)
        .end();
    });

  it("makes each request and response on Express's prototypes before Express sees them", async () => {
    const seen: Array<[object | null, object | null]> = [];
    const listener = (req: IncomingMessage, res: ServerResponse) => seen.push([Object.getPrototypeOf(req), Object.getPrototypeOf(res)]);
    server.prependListener('request', listener);
    try {
      expect(await get('/hello')).toEqual({ status: 201, body: { path: '/hello', isRequest: true, isResponse: true } });
      expect(await get('/hello')).toEqual({ status: 201, body: { path: '/hello', isRequest: true, isResponse: true } });
    } finally {
      server.removeListener('request', listener);
    }
    // So Express's own Object.setPrototypeOf finds nothing to change.
    expect(seen).toEqual([
      [app.request, app.response],
      [app.request, app.response],
    ]);
  });

  it("leaves HTTPS servers to Nest's adapter", () => {
    const secure = new HttpAdapter();
    secure.initHttpServer({ httpsOptions: {} });
    expect(secure.getHttpServer()).toBeInstanceOf(HttpsServer);
  });
});
