import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The run's timeline besides its steps: states entered and events received (accepted or not). */
@Entity('run_history')
export class RunHistoryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'run_id' })
  runId: string;

  @Column('text')
  kind: 'state' | 'event';

  @Column('text')
  name: string;

  @Column('boolean', { nullable: true })
  accepted: boolean | null;

  @Column('jsonb', { nullable: true })
  payload: Record<string, unknown> | null;

  @Column('timestamptz', { default: () => 'clock_timestamp()' })
  at: Date;
}
