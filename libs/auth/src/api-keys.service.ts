import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { AuthContext, isUuid, NotFoundError, Role } from '@app/common';
import { ApiKeyEntity } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key.util';

export interface IssuedApiKey {
  id: string;
  name: string;
  role: Role;
  /** The key itself: shown once, never stored. */
  apiKey: string;
}

const BOOTSTRAP_KEY_NAME = 'CASEFLOW_ADMIN_KEY';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async issue(organizationId: string, role: Role, name: string, manager: EntityManager = this.keys.manager): Promise<IssuedApiKey> {
    const apiKey = generateApiKey();
    const row = await manager.save(ApiKeyEntity, {
      organizationId,
      name,
      role,
      keyHash: hashApiKey(apiKey),
      keyPrefix: displayPrefix(apiKey),
      revokedAt: null,
    });
    return { id: row.id, name, role, apiKey };
  }

  async authenticate(presentedKey: string): Promise<AuthContext | null> {
    const key = await this.keys.findOne({ where: { keyHash: hashApiKey(presentedKey), revokedAt: IsNull() } });
    return key ? { organizationId: key.organizationId, keyId: key.id, role: key.role } : null;
  }

  async list(organizationId: string) {
    const rows = await this.keys.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
    return rows.map(({ id, name, role, keyPrefix, createdAt, revokedAt }) => ({ id, name, role, keyPrefix, createdAt, revokedAt }));
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('API key', id);
    const result = await this.keys.update({ id, organizationId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundError('API key', id);
  }

  /**
   * Makes CASEFLOW_ADMIN_KEY an admin key of the given organization. Only its hash is kept, and a
   * changed variable replaces the previous bootstrap key instead of adding a second one.
   */
  async installBootstrapKey(organizationId: string, key: string): Promise<void> {
    await this.keys.manager.transaction(async (manager) => {
      const keyHash = hashApiKey(key);
      const current = await manager.findOne(ApiKeyEntity, { where: { keyHash } });
      if (current && !current.revokedAt) return;
      await manager.update(ApiKeyEntity, { organizationId, name: BOOTSTRAP_KEY_NAME, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (current) {
        await manager.update(ApiKeyEntity, { id: current.id }, { revokedAt: null });
      } else {
        await manager.insert(ApiKeyEntity, {
          organizationId,
          name: BOOTSTRAP_KEY_NAME,
          role: 'admin',
          keyHash,
          keyPrefix: displayPrefix(key),
        });
      }
      this.logger.log('Bootstrap admin key installed for the default organization');
    });
  }
}
