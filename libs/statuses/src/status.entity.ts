import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { CaseAction } from './status-set.entity';

export const STATUS_CATEGORIES = ['open', 'pending', 'approved', 'declined'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

@Entity('statuses')
export class StatusEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId: string;

  @PrimaryColumn('text', { name: 'set_key' })
  setKey: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text')
  label: string;

  @Column('text')
  category: StatusCategory;

  @Column('boolean')
  terminal: boolean;

  /** The status a new case of this set starts in (one per set). */
  @Column('boolean')
  initial: boolean;

  /** The case actions a reviewer may take while a case is in this status. */
  @Column('text', { array: true })
  actions: CaseAction[];

  @Column('integer')
  position: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
