import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { fulfilled, orgKey, rejected, Settled, UnprocessableError } from '@app/common';
import { jsonbLiteral, SqlScript } from '@app/persistence';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyClaim {
  organizationId: string;
  key: string;
  /** SHA-256 of the request (see IdempotencyKeyEntity). */
  requestHash: string;
}

/** What a batch does with the keys it claimed, once its work is decided. */
export interface IdempotencyOutcome {
  organizationId: string;
  key: string;
  /** The answer to store; null when the request failed, which frees its key for another try. */
  response: StoredResponse | null;
}

@Injectable()
export class IdempotencyRepository {
  reusedError(key: string): UnprocessableError {
    return new UnprocessableError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key "${key}" was used for a different request.`, { key });
  }

  /**
   * Claims many keys (no key twice) in one statement, inside the caller's transaction: for each,
   * null when the key is new, the stored response of the request that used it first, or
   * IDEMPOTENCY_KEY_REUSED. Keys go in in (organization, key) order, so two batches claiming the
   * same keys wait for each other in one order, never in a circle; a key held by a transaction not
   * yet committed waits until it commits or rolls back.
   */
  async claimAll(manager: EntityManager, claims: IdempotencyClaim[]): Promise<Array<Settled<StoredResponse | null>>> {
    if (claims.length === 0) return [];
    const rows = claims.map(({ organizationId, key, requestHash }) => ({ organization_id: organizationId, key, request_hash: requestHash }));
    const inserted: Array<{ organization_id: string; key: string }> = await manager.query(
      `INSERT INTO idempotency_keys (organization_id, key, request_hash, response_status, response_body)
       SELECT k.organization_id, k.key, k.request_hash, 0, '{}'::jsonb
       FROM jsonb_to_recordset(${jsonbLiteral(rows)}) AS k(organization_id uuid, key text, request_hash text)
       ORDER BY k.organization_id, k.key
       ON CONFLICT DO NOTHING
       RETURNING organization_id, key`,
    );
    const claimed = new Set(inserted.map((row) => orgKey(row.organization_id, row.key)));
    const taken = claims.filter((claim) => !claimed.has(orgKey(claim.organizationId, claim.key)));
    // A statement of its own: the insert's snapshot may predate the commit it waited for.
    const priors: Array<{ organization_id: string; key: string; request_hash: string; response_status: number; response_body: unknown }> =
      taken.length === 0
        ? []
        : await manager.query(
            `SELECT i.organization_id, i.key, i.request_hash, i.response_status, i.response_body FROM idempotency_keys i
             WHERE (i.organization_id, i.key) IN (
               SELECT k.organization_id, k.key
               FROM jsonb_to_recordset(${jsonbLiteral(taken.map(({ organizationId, key }) => ({ organization_id: organizationId, key })))}) AS k(organization_id uuid, key text)
             )`,
          );
    const stored = new Map(priors.map((row) => [orgKey(row.organization_id, row.key), row]));
    return claims.map((claim) => {
      if (claimed.has(orgKey(claim.organizationId, claim.key))) return fulfilled(null);
      const prior = stored.get(orgKey(claim.organizationId, claim.key));
      if (!prior) return rejected(new Error(`Idempotency-Key "${claim.key}" was neither claimed nor found.`));
      if (prior.request_hash !== claim.requestHash) {
        return rejected(this.reusedError(claim.key));
      }
      return fulfilled({ status: prior.response_status, body: prior.response_body });
    });
  }

  /**
   * The writes that settle claimed keys: the answers of the requests that succeeded are stored,
   * and the keys of those that failed are let go, as a rollback would have let them go.
   */
  settleScript(outcomes: IdempotencyOutcome[]): SqlScript {
    const stored = outcomes.flatMap(({ organizationId, key, response }) => (response ? [{ organization_id: organizationId, key, status: response.status, body: response.body }] : []));
    const freed = outcomes.filter(({ response }) => response === null).map(({ organizationId, key }) => ({ organization_id: organizationId, key }));
    return new SqlScript()
      .add(
        stored.length === 0
          ? null
          : `UPDATE idempotency_keys i SET response_status = u.status, response_body = u.body
             FROM jsonb_to_recordset(${jsonbLiteral(stored)}) AS u(organization_id uuid, key text, status integer, body jsonb)
             WHERE i.organization_id = u.organization_id AND i.key = u.key`,
      )
      .add(
        freed.length === 0
          ? null
          : `DELETE FROM idempotency_keys i USING jsonb_to_recordset(${jsonbLiteral(freed)}) AS u(organization_id uuid, key text)
             WHERE i.organization_id = u.organization_id AND i.key = u.key`,
      );
  }
}
