import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StepError } from '@app/workflow-core';

export type StepExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** One execution of one step: its id is the BullMQ job's id, so a redelivered job finds it done. */
@Entity('step_executions')
export class StepExecutionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'run_id' })
  runId: string;

  @Column('text')
  state: string;

  @Column('integer', { name: 'step_index' })
  stepIndex: number;

  @Column('text', { name: 'step_id' })
  stepId: string;

  @Column('text')
  action: string;

  @Column('text')
  status: StepExecutionStatus;

  @Column('integer')
  attempts: number;

  @Column('integer', { name: 'max_attempts' })
  maxAttempts: number;

  @Column('boolean', { name: 'continue_on_error' })
  continueOnError: boolean;

  @Column('jsonb', { nullable: true })
  output: unknown;

  @Column('jsonb', { nullable: true })
  error: StepError | null;

  @Column('timestamptz', { name: 'queued_at', default: () => 'clock_timestamp()' })
  queuedAt: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}
