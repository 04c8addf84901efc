import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The stored answer to a request sent with an Idempotency-Key: a replay gets it again, with no second effect. */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn('uuid', { name: 'organization_id' })
  organizationId: string;

  @PrimaryColumn('text')
  key: string;

  /** SHA-256 of the request, so one key reused for a different request is refused instead of replayed. */
  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('integer', { name: 'response_status' })
  responseStatus: number;

  @Column('jsonb', { name: 'response_body' })
  responseBody: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
