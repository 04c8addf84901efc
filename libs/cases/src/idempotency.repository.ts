import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { UnprocessableError } from '@app/common';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

export interface StoredResponse {
  status: number;
  body: unknown;
}

@Injectable()
export class IdempotencyRepository {
  /**
   * Claims a key inside the caller's transaction. Returns null when the key is new (the caller does
   * the work and calls `complete`), or the stored response of the request that used it first. A
   * concurrent request with the same key waits here until the first one commits or rolls back.
   */
  async claim(manager: EntityManager, organizationId: string, key: string, requestHash: string): Promise<StoredResponse | null> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity)
      .values({ organizationId, key, requestHash, responseStatus: 0, responseBody: {} })
      .orIgnore()
      .returning('key')
      .execute();
    if (inserted.raw.length > 0) return null;
    const prior = await manager.findOneOrFail(IdempotencyKeyEntity, { where: { organizationId, key } });
    if (prior.requestHash !== requestHash) {
      throw new UnprocessableError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was used for a different request.`, { key });
    }
    return { status: prior.responseStatus, body: prior.responseBody };
  }

  async complete(manager: EntityManager, organizationId: string, key: string, response: StoredResponse): Promise<void> {
    await manager.update(
      IdempotencyKeyEntity,
      { organizationId, key },
      { responseStatus: response.status, responseBody: response.body as QueryDeepPartialEntity<unknown> },
    );
  }
}
