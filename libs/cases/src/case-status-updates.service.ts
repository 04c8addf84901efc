import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor } from '@app/common';
import { CaseView } from './case.view';
import { CasesService } from './cases.service';
import { IdempotencyRepository } from './idempotency.repository';

export interface PipelineStatusUpdate {
  status: string;
  reason?: string | null;
  reopen?: boolean;
}

export interface PipelineStatusResult {
  status: number;
  body: CaseView;
  /** True when the answer is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * A pipeline setting a case's status: `Idempotency-Key` makes a replay answer the stored response
 * with no second effect, `If-Match` refuses a stale version. The claim, the change and the stored
 * answer commit together, so a crash can leave neither a half-applied change nor a lost answer.
 */
@Injectable()
export class CaseStatusUpdatesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async update(
    organizationId: string,
    caseId: string,
    update: PipelineStatusUpdate,
    options: { idempotencyKey?: string; expectedVersion?: number },
    actor: Actor,
  ): Promise<PipelineStatusResult> {
    return this.dataSource.transaction(async (manager) => {
      const { idempotencyKey } = options;
      if (idempotencyKey) {
        const hash = createHash('sha256')
          .update(JSON.stringify([caseId, update.status, update.reason ?? null, update.reopen ?? false, options.expectedVersion ?? null]))
          .digest('hex');
        const prior = await this.idempotency.claim(manager, organizationId, idempotencyKey, hash);
        if (prior) return { status: prior.status, body: prior.body as CaseView, replayed: true };
      }
      await this.cases.changeStatus(manager, organizationId, {
        caseId,
        status: update.status,
        reason: update.reason ?? null,
        reopen: update.reopen,
        expectedVersion: options.expectedVersion,
        actor,
      });
      const body = await this.cases.view(organizationId, caseId, manager);
      if (idempotencyKey) await this.idempotency.complete(manager, organizationId, idempotencyKey, { status: 200, body });
      return { status: 200, body, replayed: false };
    });
  }
}
