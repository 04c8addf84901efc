import { Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { CaseflowConfig, stepAttempts } from '@app/common';
import { JobName, StepJobData } from '@app/queue';
import { RetryableStepError, StepExecutorService } from '@app/runs';
import { StepProcessor } from './step.processor';

/**
 * The processor's own decisions, with the executor stood in for: which failures use up an
 * attempt (thrown to BullMQ as they are) and which wait for the platform (moved to delayed), and
 * how each attempt is counted. The executor's work is covered against PostgreSQL elsewhere.
 */
describe('StepProcessor', () => {
  const config = { WORKER_CONCURRENCY: 1 } as CaseflowConfig;
  const job = () =>
    ({
      name: JobName.ExecuteStep,
      data: { stepExecutionId: 'step-1', runId: 'run-1', organizationId: 'org-1' },
      attemptsMade: 0,
      opts: { attempts: 3 },
      updateData: jest.fn(async () => undefined),
      moveToDelayed: jest.fn(async () => undefined),
    }) as unknown as Job<StepJobData> & { moveToDelayed: jest.Mock };
  const processorThat = (execute: () => Promise<unknown>) => new StepProcessor({ execute } as unknown as StepExecutorService, config);
  const counted = async (outcome: string) => (await stepAttempts.get()).values.find((sample) => sample.labels.outcome === outcome)?.value ?? 0;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => stepAttempts.reset());

  it("throws the step's own failure to BullMQ to use up an attempt, even when its message reads like a lost connection", async () => {
    const failure = new RetryableStepError({ code: 'HTTP_ERROR', message: 'connection closed by the provider' });
    const target = job();
    await expect(processorThat(async () => Promise.reject(failure)).process(target, 'token')).rejects.toBe(failure);
    expect(target.moveToDelayed).not.toHaveBeenCalled();
    expect(await counted('retry')).toBe(1);
  });

  it('moves the attempt to delayed, without using it up, when PostgreSQL or Redis failed', async () => {
    const target = job();
    const outage = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(processorThat(async () => Promise.reject(outage)).process(target, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(target.moveToDelayed).toHaveBeenCalledTimes(1);
    expect(await counted('delayed')).toBe(1);
  });

  it('counts an attempt that could not even be delayed as an error', async () => {
    const target = job();
    target.moveToDelayed.mockRejectedValueOnce(new Error('Redis is away too'));
    const outage = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(processorThat(async () => Promise.reject(outage)).process(target, 'token')).rejects.toThrow('Redis is away too');
    expect(await counted('error')).toBe(1);
    expect(await counted('delayed')).toBe(0);
  });

  it('returns and counts the outcome the executor decided', async () => {
    await expect(processorThat(async () => 'succeeded').process(job(), 'token')).resolves.toBe('succeeded');
    expect(await counted('succeeded')).toBe(1);
  });
});
