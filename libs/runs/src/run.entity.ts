import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PersistedRunSnapshot, StepError } from '@app/workflow-core';

export type RunStatusValue = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
export const ACTIVE_RUN_STATUSES: RunStatusValue[] = ['running', 'waiting'];

/** A run of one definition version on one case; PostgreSQL is its source of truth. */
@Entity('runs')
export class RunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'case_id' })
  caseId: string;

  @Column('uuid', { name: 'workflow_version_id' })
  workflowVersionId: string;

  @Column('text', { name: 'workflow_key' })
  workflowKey: string;

  @Column('integer', { name: 'workflow_version' })
  workflowVersion: number;

  @Column('text')
  status: RunStatusValue;

  /** The definition state the run is in. */
  @Column('text')
  state: string;

  /** The machine's persisted snapshot: state value and context (step outputs and errors). */
  @Column('jsonb')
  snapshot: PersistedRunSnapshot;

  @Column('jsonb', { nullable: true })
  error: (StepError & { stepId?: string }) | null;

  /** The step execution the run waits on; results of any other are stale and do not advance it. */
  @Column('uuid', { name: 'current_step_execution_id', nullable: true })
  currentStepExecutionId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt: Date | null;
}
