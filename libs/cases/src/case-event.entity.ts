import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Actor } from '@app/common';

/** One append-only entry of a case's audit trail (the table refuses UPDATE and DELETE). */
@Entity('case_events')
export class CaseEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'case_id' })
  caseId: string;

  @Column('text')
  type: string;

  @Column('text')
  actor: string;

  @Column('text')
  source: Actor['source'];

  @Column('text', { name: 'from_value', nullable: true })
  from: string | null;

  @Column('text', { name: 'to_value', nullable: true })
  to: string | null;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('text', { nullable: true })
  block: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;
}
