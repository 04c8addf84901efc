import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const CASE_ACTIONS = ['approve', 'reject', 'request_reuploads'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

@Entity('status_sets')
export class StatusSetEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text')
  label: string;

  /** The status each case action leads to, e.g. `{ approve: 'approved' }`. */
  @Column('jsonb', { name: 'action_targets' })
  actionTargets: Partial<Record<CaseAction, string>>;

  @Column('boolean', { name: 'built_in' })
  builtIn: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
