import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { requestLogger } from './logging';

/** A server behind the request log, answering each path with the status it names (`/404`). */
async function serve(lines: Array<Record<string, unknown>>): Promise<Server> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const log = requestLogger(pino({ level: 'info' }, sink));
  const server = createServer((req, res) => log(req, res, () => res.writeHead(Number(req.url?.slice(1)) || 200).end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function get(server: Server, path: string): Promise<void> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { authorization: 'Bearer cf_secret_key', cookie: 'session=secret' } }, (res) => {
      res.resume();
      res.on('end', () => setImmediate(resolve));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('requestLogger', () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: Server;

  beforeAll(async () => {
    server = await serve(lines);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (lines.length = 0));

  it('writes one line per request with its id, method, url, status and time, and no header', async () => {
    await get(server, '/200?page=2');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, req: { id: expect.any(Number), method: 'GET', url: '/200?page=2' }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    expect(Object.keys(lines[0].req as object).sort()).toEqual(['id', 'method', 'url']);
    expect(JSON.stringify(lines)).not.toMatch(/secret/);
  });

  it('logs a 4xx as a warning and a 5xx as an error', async () => {
    await get(server, '/404');
    await get(server, '/503');
    expect(lines.map((line) => [line.level, (line.res as { statusCode: number }).statusCode])).toEqual([
      [40, 404],
      [50, 503],
    ]);
  });

  it('leaves health probes and metrics scrapes out', async () => {
    await get(server, '/v1/health/ready');
    await get(server, '/metrics');
    expect(lines).toEqual([]);
  });
});
