import { readFileSync } from 'node:fs';

/**
 * Memory of a child process from /proc/<pid>/status. VmHWM is the kernel's own peak of resident
 * memory, so a spike between two samples is not missed; VmRSS samples show the shape over time.
 */
export class RssSampler {
  /** Highest VmHWM read (kB): the process's peak resident set so far. */
  peakHwmKb = 0;
  /** Highest VmRSS sampled (kB). */
  maxRssKb = 0;
  samples = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number) {}

  start(everyMs = 200): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  /** Takes a last sample and stops; returns the peak in MB. */
  stop(): { peakMb: number; maxSampledRssMb: number; samples: number } {
    clearInterval(this.timer);
    this.sample();
    return { peakMb: round(this.peakHwmKb / 1024), maxSampledRssMb: round(this.maxRssKb / 1024), samples: this.samples };
  }

  private sample(): void {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // the process has ended (or this is not Linux): keep what was read
    }
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    this.peakHwmKb = Math.max(this.peakHwmKb, field('VmHWM'));
    this.maxRssKb = Math.max(this.maxRssKb, field('VmRSS'));
    this.samples++;
  }
}

const round = (value: number) => Math.round(value * 10) / 10;
