import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU time of a process and of the whole machine, from /proc, to read a section's figure: a worker
 * near 100% of a core is CPU-bound (its own code is the limit); a machine near 100% of all cores
 * means the processes, or someone else's, were competing for CPU. Linux only; zeros elsewhere.
 */
export interface CpuSnapshot {
  at: number;
  /** utime + stime of the process, in clock ticks; system time is its share in the kernel (syscalls, sockets). */
  processTicks: number;
  processSystemTicks: number;
  /** All cores: busy and total ticks since boot. */
  machineBusy: number;
  machineTotal: number;
}

/** USER_HZ: 100 on every Linux build that matters here. */
const TICKS_PER_SECOND = 100;

export function cpuSnapshot(pid: number): CpuSnapshot {
  let processTicks = 0;
  let processSystemTicks = 0;
  let machineBusy = 0;
  let machineTotal = 0;
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    processTicks = Number(fields[11]) + Number(fields[12]);
    processSystemTicks = Number(fields[12]);
    const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const values = times.map(Number);
    machineTotal = values.slice(0, 8).reduce((a, b) => a + b, 0);
    machineBusy = machineTotal - values[3] - values[4]; // minus idle and iowait
  } catch {
    // not Linux, or the process has ended
  }
  return { at: performance.now(), processTicks, processSystemTicks, machineBusy, machineTotal };
}

/** Between two snapshots: the process's CPU as % of one core, and the machine's busy % of all cores. */
export function cpuBetween(
  from: CpuSnapshot,
  to: CpuSnapshot,
): { processCpuPercentOfOneCore: number; processSystemPercentOfOneCore: number; machineBusyPercent: number; cores: number } {
  const seconds = (to.at - from.at) / 1000;
  const percentOfOneCore = (ticks: number) => (seconds > 0 ? Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10 : 0);
  const total = to.machineTotal - from.machineTotal;
  return {
    processCpuPercentOfOneCore: percentOfOneCore(to.processTicks - from.processTicks),
    processSystemPercentOfOneCore: percentOfOneCore(to.processSystemTicks - from.processSystemTicks),
    machineBusyPercent: total > 0 ? Math.round(((to.machineBusy - from.machineBusy) / total) * 1000) / 10 : 0,
    cores: cpus().length,
  };
}
