import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const BLOCK_TYPES = ['user_data', 'registry_data', 'enriched_data', 'document', 'kyc'] as const;
export type BlockType = (typeof BLOCK_TYPES)[number];

export const BLOCK_STATUSES = ['approved', 'reupload_needed', 'pending_id_verification', 'pending_reupload'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

export interface BlockDecision {
  action: string;
  by: string;
  at: string;
  reason?: string | null;
}

/** A reviewable section of a case (registry answer, a document, KYC result...). */
@Entity('case_blocks')
export class CaseBlockEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('uuid', { name: 'case_id' })
  caseId: string;

  @Column('text')
  key: string;

  @Column('text')
  type: BlockType;

  @Column('text')
  title: string;

  @Column('jsonb')
  data: unknown;

  @Column('text', { nullable: true })
  status: BlockStatus | null;

  @Column('jsonb', { nullable: true })
  decision: BlockDecision | null;

  @Column('integer')
  position: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
