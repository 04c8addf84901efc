import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@app/common';

/** Only the SHA-256 of a key is stored; the key itself is shown once, when it is created. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('text')
  name: string;

  @Column('text')
  role: Role;

  @Column('text', { name: 'key_hash' })
  keyHash: string;

  /** The first characters of the key, so an admin can tell keys apart without seeing them. */
  @Column('text', { name: 'key_prefix' })
  keyPrefix: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
