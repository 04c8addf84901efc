import { Logger } from '@nestjs/common';
import { ChildProcess, spawn } from 'child_process';
import { accessSync, constants, existsSync, promises as fs, readFileSync } from 'fs';
import { Redis } from 'ioredis';
import path from 'path';
import { childShutdownHooks, freePort, isPortFree } from '@app/common';

const LOCAL_URL = 'redis://127.0.0.1:6379';
const READY_TIMEOUT_MS = 10_000;
const logger = new Logger('Queue');
const children = new Set<ChildProcess>();

/**
 * REDIS_URL when set; otherwise the Redis on localhost, or a redis-server we start under .caseflow/redis
 * (dying with this process), so `npm start` needs nothing configured.
 */
export async function resolveRedisUrl(configured: string | undefined): Promise<string> {
  if (configured) return configured;
  if (await answersPing(LOCAL_URL)) return LOCAL_URL;
  if (!findRedisServer()) {
    throw new Error(
      `No Redis answers at ${LOCAL_URL} and redis-server is not installed: install Redis 7 (apt-get install redis-server / brew install redis) or set REDIS_URL.`,
    );
  }
  // Something that is not Redis may hold 6379; then any free port will do.
  const port = (await isPortFree(6379)) ? 6379 : await freePort();
  const dir = path.resolve('.caseflow', 'redis');
  logger.log(`No Redis answers at ${LOCAL_URL}; starting redis-server on port ${port} under ${path.relative(process.cwd(), dir)}...`);
  return startLocalRedis(port, dir);
}

/** Starts redis-server as our child on 127.0.0.1:<port>, without persistence; resolves once it answers PING. */
export async function startLocalRedis(port: number, dir: string): Promise<string> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server is not installed: install Redis 7 (apt-get install redis-server / brew install redis) or set REDIS_URL.');
  await fs.mkdir(dir, { recursive: true });
  const logFile = path.join(dir, 'redis.log');
  await fs.rm(logFile, { force: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no', '--dir', dir, '--logfile', logFile];
  // A queue must never lose jobs to eviction; persistence is pointless for a Redis that dies with us.
  args.push('--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction');
  const child = spawn(binary, args, { stdio: 'ignore' });
  child.unref();
  let spawnError = '';
  child.once('error', (error) => (spawnError = error.message));
  children.add(child);
  child.once('exit', () => {
    children.delete(child);
    if (children.size === 0) shutdownHooks.remove();
  });
  shutdownHooks.install();

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // Checking the pid makes sure it is our child answering, not another Redis already on that port.
  while (!(await answersPing(url, child.pid))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
      throw new Error(`redis-server did not come up on port ${port} within ${READY_TIMEOUT_MS / 1000}s: ${spawnError || log || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return url;
}

/** Stops every redis-server this process started (they also stop when the process exits). */
export async function stopLocalRedis(): Promise<void> {
  await Promise.all(
    [...children].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

async function answersPing(url: string, pid?: number): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if ((await client.ping()) !== 'PONG') return false;
    return pid === undefined || (await client.info('server')).includes(`process_id:${pid}\r\n`);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function findRedisServer(): string | undefined {
  const name = process.platform === 'win32' ? 'redis-server.exe' : 'redis-server';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const shutdownHooks = childShutdownHooks({
  stop: stopLocalRedis,
  stopSync: () => {
    for (const child of children) child.kill('SIGTERM');
  },
});
