import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CaseFilter } from '@app/cases';

/** A saved filter of the case list, shown in reviewers' sidebars with its count. */
@Entity('views')
export class ViewEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  /** Unique per organization. */
  @Column('text')
  name: string;

  /** Validated by parseCaseFilter before it is stored, and again when read. */
  @Column('jsonb')
  filter: CaseFilter;

  /** Sidebar order, ascending. */
  @Column('integer')
  position: number;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
