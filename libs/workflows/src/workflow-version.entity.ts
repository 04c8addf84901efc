import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { WorkflowDefinition } from '@app/workflow-core';

/** One published version: never updated (the table refuses it), runs keep the one they started with. */
@Entity('workflow_versions')
export class WorkflowVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'workflow_id' })
  workflowId: string;

  @Column('text')
  key: string;

  @Column('integer')
  version: number;

  @Column('json')
  definition: WorkflowDefinition;

  /** SHA-256 of the canonical JSON, to publish a folder again without adding identical versions. */
  @Column('text')
  checksum: string;

  @Column('text', { name: 'published_by' })
  publishedBy: string;

  @Column('timestamptz', { name: 'published_at', default: () => 'now()' })
  publishedAt: Date;
}
