import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type Role = 'api' | 'worker';

/**
 * The heap budget every start command of the product gives Node (package.json, the Dockerfile,
 * docker-compose.yml): processes started here run as deployed. Without it V8 sizes the old
 * generation from the machine's memory (4 GB here) and lets garbage pile up far past what the
 * process keeps alive; see docs/performance.md.
 */
export const HEAP_BUDGET_FLAG = '--max-old-space-size=512';

/** A process that ended without being told to: a finding of the chaos run. */
export interface UnexpectedExit {
  name: string;
  role: Role;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote, for the report. */
  lastLines: string[];
}

export interface Member {
  name: string;
  role: Role;
  child: ChildProcess;
  startedAt: number;
  /** Set before the chaos driver kills or stops it: its end is expected. */
  expectedExit: boolean;
  lastLines: string[];
  log: WriteStream;
  exited: Promise<void>;
}

export interface FleetOptions {
  /** Folder holding api/main.js and worker/main.js. */
  bundleDir: string;
  /** Where each process's output goes, one file per process. */
  logDir: string;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

/**
 * The API and worker processes of the chaos run. Killed workers are replaced at once; a process
 * that dies on its own (say, of a PostgreSQL restart) is recorded and restarted, so the run goes on.
 */
export class Fleet {
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Steps the reconciler re-enqueued, summed from the workers' "Re-enqueued N step job(s)" lines. */
  requeuedByReconciler = 0;
  /** Warnings and errors seen in the children's logs, by message (first 100 characters). */
  readonly logCounts = new Map<string, number>();
  private readonly members = new Set<Member>();
  private serial = 0;
  private stopping = false;

  constructor(private readonly options: FleetOptions) {
    // If the driver dies in a way its own handlers miss, it still takes its children with it.
    process.on('exit', () => {
      for (const member of this.members) if (member.child.exitCode === null && member.child.signalCode === null) member.child.kill('SIGKILL');
    });
  }

  get workers(): number {
    return [...this.members].filter((member) => member.role === 'worker').length;
  }

  start(role: Role, extraEnv: Record<string, string> = {}): Member {
    const name = `${role}-${++this.serial}`;
    const child = spawn(process.execPath, [HEAP_BUDGET_FLAG, join(this.options.bundleDir, role, 'main.js')], {
      env: { ...this.options.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(this.options.logDir, `${name}.log`));
    const member: Member = { name, role, child, startedAt: Date.now(), expectedExit: false, lastLines: [], log, exited: Promise.resolve() };
    member.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => this.onLine(member, line));
    }
    child.once('exit', (code, signal) => {
      this.members.delete(member);
      log.end();
      if (member.expectedExit || this.stopping) return;
      this.unexpectedExits.push({ name, role, at: Date.now(), code, signal, lastLines: member.lastLines.slice(-10) });
      this.options.log(`${name} (pid ${child.pid}) exited on its own (code ${code}, signal ${signal}); restarting it. Last output:\n    ${member.lastLines.slice(-5).join('\n    ')}`);
      this.start(role, extraEnv);
    });
    this.members.add(member);
    return member;
  }

  /** SIGKILLs a random worker and starts its replacement; returns the killed one's name. */
  killRandomWorker(): string | undefined {
    const workers = [...this.members].filter((member) => member.role === 'worker' && !member.expectedExit);
    if (workers.length === 0) return undefined;
    const victim = workers[Math.floor(Math.random() * workers.length)];
    victim.expectedExit = true;
    victim.child.kill('SIGKILL');
    this.start('worker');
    return `${victim.name} (pid ${victim.child.pid}, up ${((Date.now() - victim.startedAt) / 1000).toFixed(1)} s)`;
  }

  /** Stops every process: SIGTERM, then SIGKILL for those still there after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const members = [...this.members];
    for (const member of members) {
      member.expectedExit = true;
      member.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      for (const member of members) if (member.child.exitCode === null && member.child.signalCode === null) member.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(members.map((member) => member.exited));
    clearTimeout(timer);
  }

  private onLine(member: Member, line: string): void {
    member.log.write(`${line}\n`);
    member.lastLines.push(line);
    if (member.lastLines.length > 40) member.lastLines.shift();
    let message = line.replace(/\u001b\[[0-9;]*m/g, '');
    try {
      const parsed = JSON.parse(line) as { msg?: unknown; level?: unknown };
      if (typeof parsed.msg === 'string') message = parsed.msg;
    } catch {
      // not a JSON log line: count it as it is
    }
    const requeued = /Re-enqueued (\d+) step job/.exec(message);
    if (requeued) this.requeuedByReconciler += Number(requeued[1]);
    const key = `${member.role}: ${message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/\d+/g, 'N').slice(0, 100)}`;
    this.logCounts.set(key, (this.logCounts.get(key) ?? 0) + 1);
  }
}
