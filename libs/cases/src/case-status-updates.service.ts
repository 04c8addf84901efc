import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, fulfilled, GroupCommit, inRounds, NotFoundError, orgKey, rejected, Settled } from '@app/common';
import { CommittedWorkError, foldedTransaction, SqlScript } from '@app/persistence';
import { CaseStatusChangesService } from './case-status-changes.service';
import { CaseRunSummary, CaseView } from './case.view';
import { CasesService } from './cases.service';
import { IdempotencyOutcome, IdempotencyRepository } from './idempotency.repository';

export interface PipelineStatusUpdate {
  status: string;
  reason?: string | null;
  reopen?: boolean;
}

export interface PipelineStatusResult {
  status: number;
  /** The answer as stored for a replay: the case, without its runs. */
  body: CaseView;
  /** The case's runs, read with the case; absent on a replay, whose runs are read when it is answered. */
  runs?: CaseRunSummary[];
  /** True when the answer is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** A pipeline's status update, waiting to be committed with its company. */
interface UpdateItem {
  organizationId: string;
  caseId: string;
  update: PipelineStatusUpdate;
  expectedVersion?: number;
  actor: Actor;
  idempotency?: { key: string; requestHash: string };
}

/**
 * Updates committed together, waiting for nobody: a lone update goes at once, and under load the
 * updates that arrive while a flush runs share the next one's transaction. One flush at a time:
 * at 1,200-1,700 updates/s that took 10-12% less machine CPU per update than two, with fuller
 * transactions (docs/performance.md).
 */
const UPDATE_BATCH = { name: 'status_updates', maxBatch: 64, maxFlushes: 1 };

/**
 * A pipeline setting a case's status: `Idempotency-Key` makes a replay answer the stored response
 * with no second effect, `If-Match` refuses a stale version. The claim, the change and the stored
 * answer commit together, so a crash can leave neither a half-applied change nor a lost answer.
 * Concurrent updates, to any cases, are committed together (see applyBatch).
 */
@Injectable()
export class CaseStatusUpdatesService {
  private readonly logger = new Logger(CaseStatusUpdatesService.name);
  private readonly updates: GroupCommit<UpdateItem, PipelineStatusResult>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly statusChanges: CaseStatusChangesService,
    private readonly idempotency: IdempotencyRepository,
  ) {
    this.updates = new GroupCommit(UPDATE_BATCH, (items) => this.applyBatch(items));
  }

  update(
    organizationId: string,
    caseId: string,
    update: PipelineStatusUpdate,
    options: { idempotencyKey?: string; expectedVersion?: number },
    actor: Actor,
  ): Promise<PipelineStatusResult> {
    const { idempotencyKey: key, expectedVersion } = options;
    const requestHash = () =>
      createHash('sha256')
        .update(JSON.stringify([caseId, update.status, update.reason ?? null, update.reopen ?? false, expectedVersion ?? null]))
        .digest('hex');
    return this.updates.submit({ organizationId, caseId, update, expectedVersion, actor, idempotency: key === undefined ? undefined : { key, requestHash: requestHash() } });
  }

  /**
   * A flush of concurrent updates: one transaction claims their keys, applies them (the cases
   * locked in id order), and reads the answers back, each case with its runs, with the writes sent
   * in front of that read.
   * Two updates to one case go in successive rounds, the second applied to what the first left.
   * An update that fails on its own fails alone and lets its key go. If the transaction itself
   * fails, each update is tried again in a transaction of its own, so none fails for another;
   * unless it had committed (CommittedWorkError), which would apply them twice.
   */
  private async applyBatch(items: UpdateItem[]): Promise<Array<Settled<PipelineStatusResult>>> {
    try {
      return await foldedTransaction(this.dataSource, (manager) => this.applyIn(manager, items));
    } catch (error) {
      // Committed before it failed (see queryAndCommit): trying again would apply it twice.
      if (items.length === 1 || error instanceof CommittedWorkError) return items.map(() => rejected(error));
      this.logger.warn(`A flush of ${items.length} status updates failed (${(error as Error).message}); each is tried again on its own.`);
      return Promise.all(items.map((item) => this.applyBatch([item]).then(([settled]) => settled)));
    }
  }

  private async applyIn(manager: EntityManager, items: UpdateItem[]): Promise<Array<Settled<PipelineStatusResult>>> {
    const settled: Array<Settled<PipelineStatusResult>> = [];
    // A key sent twice in one flush is claimed by its first request; the others follow that one.
    const claimants = new Map<string, number>();
    const followers: Array<{ index: number; claimant: number }> = [];
    const own: Array<{ item: UpdateItem; index: number }> = [];
    items.forEach((item, index) => {
      if (!item.idempotency) return own.push({ item, index });
      const keyOf = orgKey(item.organizationId, item.idempotency.key);
      const claimant = claimants.get(keyOf);
      if (claimant === undefined) {
        claimants.set(keyOf, index);
        return own.push({ item, index });
      }
      followers.push({ index, claimant });
    });
    const rounds = inRounds(own, ({ item }) => item.caseId);
    for (const [i, round] of rounds.entries()) await this.applyRound(manager, round, settled, i === rounds.length - 1);
    for (const { index, claimant } of followers) settled[index] = this.follow(items[index], items[claimant], settled[claimant]);
    return settled;
  }

  /**
   * One round: at most one update per case and per key. The last round's read of the answers
   * carries the COMMIT when no key is left to settle after it.
   */
  private async applyRound(manager: EntityManager, round: Array<{ item: UpdateItem; index: number }>, settled: Array<Settled<PipelineStatusResult>>, last: boolean) {
    const keyed = round.filter(({ item }) => item.idempotency);
    const claims = await this.idempotency.claimAll(
      manager,
      keyed.map(({ item }) => ({ organizationId: item.organizationId, key: item.idempotency!.key, requestHash: item.idempotency!.requestHash })),
    );
    keyed.forEach(({ index }, i) => {
      const claim = claims[i];
      if (!claim.ok) settled[index] = claim;
      else if (claim.value) settled[index] = fulfilled({ status: claim.value.status, body: claim.value.body as CaseView, replayed: true });
    });
    const todo = round.filter(({ index }) => !settled[index]);
    const writes = new SqlScript();
    const changes = await this.statusChanges.applyAll(
      manager,
      todo.map(({ item }) => ({
        organizationId: item.organizationId,
        caseId: item.caseId,
        status: item.update.status,
        reason: item.update.reason ?? null,
        reopen: item.update.reopen,
        expectedVersion: item.expectedVersion,
        actor: item.actor,
      })),
      writes,
    );
    await writes.defer(manager);
    const details = await this.cases.details(
      manager,
      todo.filter((_, i) => changes[i].ok).map(({ item }) => item),
      { andCommit: last && keyed.length === 0 },
    );
    const outcomes: IdempotencyOutcome[] = [];
    todo.forEach(({ item, index }, i) => {
      const detail = details.get(orgKey(item.organizationId, item.caseId));
      const change = changes[i];
      if (!change.ok) settled[index] = change;
      else if (!detail) settled[index] = rejected(new NotFoundError('Case', item.caseId));
      else {
        const { runs, ...body } = detail;
        settled[index] = fulfilled({ status: 200, body, runs, replayed: false });
      }
      const answer = settled[index];
      if (item.idempotency) outcomes.push({ organizationId: item.organizationId, key: item.idempotency.key, response: answer.ok ? { status: answer.value.status, body: answer.value.body } : null });
    });
    // Sent with the transaction's next statement: the next round's first, or the COMMIT.
    await this.idempotency.settleScript(outcomes).defer(manager);
  }

  /**
   * A request with the key of an earlier one in the same flush gets what it would have got had it
   * come just after: the stored answer as a replay, the same refusal, or IDEMPOTENCY_KEY_REUSED.
   */
  private follow(item: UpdateItem, claimant: UpdateItem, answer: Settled<PipelineStatusResult>): Settled<PipelineStatusResult> {
    if (item.idempotency!.requestHash !== claimant.idempotency!.requestHash) {
      return rejected(this.idempotency.reusedError(item.idempotency!.key));
    }
    return answer.ok ? fulfilled({ ...answer.value, replayed: true }) : answer;
  }
}
