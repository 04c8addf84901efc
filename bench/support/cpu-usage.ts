import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU time of a process and of the whole machine, from /proc, to read a section's figure: a worker
 * near 100% of a core is CPU-bound (its own code is the limit); a machine near 100% of all cores
 * means the processes, or someone else's, were competing for CPU. On a shared virtual machine
 * "someone else" includes other tenants of the host: the hypervisor's steal time, counted apart.
 * Linux only; zeros elsewhere.
 */
export interface CpuSnapshot {
  at: number;
  /** utime + stime of the process, in clock ticks; system time is its share in the kernel (syscalls, sockets). */
  processTicks: number;
  processSystemTicks: number;
  /** All cores: busy (steal included) and total ticks since boot. */
  machineBusy: number;
  machineTotal: number;
  /** All cores: ticks the hypervisor gave to other tenants while this machine had work to run. */
  machineSteal: number;
}

/** USER_HZ: 100 on every Linux build that matters here. */
const TICKS_PER_SECOND = 100;

export function cpuSnapshot(pid: number): CpuSnapshot {
  let processTicks = 0;
  let processSystemTicks = 0;
  let machineBusy = 0;
  let machineTotal = 0;
  let machineSteal = 0;
  try {
    // user nice system idle iowait irq softirq steal: the first eight times of the cpu line.
    const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const values = times.map(Number);
    machineTotal = values.slice(0, 8).reduce((a, b) => a + b, 0);
    machineBusy = machineTotal - values[3] - values[4]; // minus idle and iowait
    machineSteal = values[7];
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    processTicks = Number(fields[11]) + Number(fields[12]);
    processSystemTicks = Number(fields[12]);
  } catch {
    // not Linux, or the process has ended
  }
  return { at: performance.now(), processTicks, processSystemTicks, machineBusy, machineTotal, machineSteal };
}

export interface CpuUsage {
  processCpuPercentOfOneCore: number;
  processSystemPercentOfOneCore: number;
  /** Busy share of all cores, steal included. */
  machineBusyPercent: number;
  /**
   * Share of all cores' time the hypervisor gave to other tenants of the host: CPU this machine
   * wanted and did not get. A section with much steal measured a slower machine than the others.
   */
  machineStealPercent: number;
  /** CPU the machine itself spent (busy minus steal), in ms of one core per second of the interval. */
  machineCpuMsPerSecond: number;
  cores: number;
}

/** Between two snapshots: the process's CPU as % of one core, and the machine's busy % of all cores. */
export function cpuBetween(from: CpuSnapshot, to: CpuSnapshot): CpuUsage {
  const seconds = (to.at - from.at) / 1000;
  const percentOfOneCore = (ticks: number) => (seconds > 0 ? Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10 : 0);
  const total = to.machineTotal - from.machineTotal;
  const shareOfAll = (ticks: number) => (total > 0 ? Math.round((ticks / total) * 1000) / 10 : 0);
  const steal = to.machineSteal - from.machineSteal;
  return {
    processCpuPercentOfOneCore: percentOfOneCore(to.processTicks - from.processTicks),
    processSystemPercentOfOneCore: percentOfOneCore(to.processSystemTicks - from.processSystemTicks),
    machineBusyPercent: shareOfAll(to.machineBusy - from.machineBusy),
    machineStealPercent: shareOfAll(steal),
    machineCpuMsPerSecond: seconds > 0 ? Math.round(((to.machineBusy - from.machineBusy - steal) / TICKS_PER_SECOND / seconds) * 1000) : 0,
    cores: cpus().length,
  };
}
