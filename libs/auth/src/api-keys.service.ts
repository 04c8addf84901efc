import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { AuthContext, isUuid, NotFoundError, Role } from '@app/common';
import { ApiKeyCache } from './api-key-cache';
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
  private readonly cache = new ApiKeyCache();

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

  /** The caller of a key, or null; valid keys are remembered for a few seconds (see ApiKeyCache). */
  async authenticate(presentedKey: string): Promise<AuthContext | null> {
    const keyHash = hashApiKey(presentedKey);
    const cached = this.cache.get(keyHash);
    if (cached) return cached;
    const snapshot = this.cache.snapshot();
    const key = await this.keys.findOne({ where: { keyHash, revokedAt: IsNull() } });
    if (!key) return null;
    const auth: AuthContext = { organizationId: key.organizationId, keyId: key.id, role: key.role };
    this.cache.set(keyHash, auth, snapshot);
    return auth;
  }

  async list(organizationId: string) {
    const rows = await this.keys.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
    return rows.map(({ id, name, role, keyPrefix, createdAt, revokedAt }) => ({ id, name, role, keyPrefix, createdAt, revokedAt }));
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('API key', id);
    const result = await this.keys.update({ id, organizationId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundError('API key', id);
    this.cache.invalidate(id);
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
    // It may have revoked an earlier bootstrap key.
    this.cache.invalidate();
  }
}
