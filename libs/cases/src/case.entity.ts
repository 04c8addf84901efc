import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('cases')
export class CaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('text')
  type: string;

  @Column('text', { name: 'status_set' })
  statusSet: string;

  @Column('text')
  status: string;

  @Column('text', { nullable: true })
  assignee: string | null;

  @Column('text', { array: true })
  tags: string[];

  /** The entity's own JSON: what guards and templates read and views filter on. */
  @Column('jsonb')
  data: Record<string, unknown>;

  /** Bumped on every change, for optimistic concurrency (If-Match). */
  @Column('integer')
  version: number;

  /** Key of the workflow the case's latest run runs: views filter on it. */
  @Column('text', { nullable: true })
  workflow: string | null;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
