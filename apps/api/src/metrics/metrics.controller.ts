import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header, OnModuleDestroy, OnModuleInit, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Queue } from 'bullmq';
import type { Response } from 'express';
import { Gauge, register } from 'prom-client';
import { collectProcessMetrics, METRICS_PREFIX, metricsText } from '@app/common';
import { jobCountsWithin, QueueName } from '@app/queue';
import { Public } from '../auth/roles.decorator';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const QUEUE_JOBS = `${METRICS_PREFIX}queue_jobs`;

/** A scrape waits this long for Redis at most: past it, the queue's series are left out of that scrape. */
const COUNTS_TIMEOUT_MS = 1000;

/** Jobs of the steps queue by state, read from Redis at each scrape (one round trip). */
function queueJobsGauge(queue: Queue): Gauge<'state'> {
  return new Gauge({
    name: QUEUE_JOBS,
    help: 'Jobs of the steps queue by state, as Redis holds them at the scrape.',
    labelNames: ['state'] as const,
    async collect() {
      this.reset();
      // Redis away: this scrape goes without the queue's series rather than hanging, or failing the rest.
      const counts = await jobCountsWithin(queue, COUNTS_TIMEOUT_MS, ...JOB_STATES).catch(() => undefined);
      if (counts) for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
}

/**
 * `GET /metrics` (outside `/v1`, SPEC §6): the process's Prometheus metrics. Public like the
 * health checks, as scrapers carry no key; keep it off the public network at the proxy. Under
 * `npm start` it covers the API and the worker of the process.
 */
@ApiTags('metrics')
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController implements OnModuleInit, OnModuleDestroy {
  private queueJobs?: Gauge<'state'>;

  constructor(@InjectQueue(QueueName.Steps) private readonly steps: Queue) {}

  onModuleInit(): void {
    collectProcessMetrics();
    // One registry per process: an app started after another (tests do) reads its own queue.
    register.removeSingleMetric(QUEUE_JOBS);
    this.queueJobs = queueJobsGauge(this.steps);
  }

  onModuleDestroy(): void {
    if (register.getSingleMetric(QUEUE_JOBS) === this.queueJobs) register.removeSingleMetric(QUEUE_JOBS);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of this process (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Every metric of the process, in the Prometheus text format', schema: { type: 'string' } })
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    const { contentType, body } = await metricsText();
    res.setHeader('Content-Type', contentType);
    return body;
  }
}
