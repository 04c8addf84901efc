import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Actor, ConflictError, NotFoundError } from '@app/common';
import { CaseAuditService } from './case-audit.service';
import { BlockStatus, BlockType, CaseBlockEntity } from './case-block.entity';
import { assertVersion } from './case-status-changes.service';
import { CasesService } from './cases.service';

/** Reviewers may edit these; registry and enrichment data come from systems and stay as they came. */
const EDITABLE: ReadonlySet<BlockType> = new Set(['user_data', 'document', 'kyc']);
/** Blocks that a reviewer decides one by one. */
const DECIDABLE: ReadonlySet<BlockType> = new Set(['document', 'kyc']);

export const BLOCK_ACTIONS = ['approve', 'request_reupload'] as const;
export type BlockAction = (typeof BLOCK_ACTIONS)[number];
const STATUS_BY_ACTION: Record<BlockAction, BlockStatus> = { approve: 'approved', request_reupload: 'reupload_needed' };

export interface BlockInput {
  key: string;
  type: BlockType;
  title: string;
  data?: unknown;
  status?: BlockStatus | null;
}

/** A block's audit value: its JSON, cut short, so the trail shows what an edit changed. */
function auditValue(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}

@Injectable()
export class CaseBlocksService {
  constructor(
    private readonly cases: CasesService,
    private readonly audit: CaseAuditService,
  ) {}

  /** A reviewer's edit of a block's data or title; read-only blocks are refused. */
  async edit(
    manager: EntityManager,
    organizationId: string,
    caseId: string,
    key: string,
    change: { data?: unknown; title?: string },
    actor: Actor,
    expectedVersion?: number,
  ): Promise<void> {
    const current = await this.cases.lockCase(manager, organizationId, caseId);
    assertVersion(current, expectedVersion, 'conflict');
    const block = await this.find(manager, organizationId, caseId, key);
    if (!EDITABLE.has(block.type)) {
      throw new ConflictError('BLOCK_READ_ONLY', `Block "${key}" is ${block.type}, which reviewers cannot edit.`, { block: key, type: block.type });
    }
    const changes: QueryDeepPartialEntity<CaseBlockEntity> = {};
    if (change.title !== undefined && change.title !== block.title) changes.title = change.title;
    if (change.data !== undefined && auditValue(change.data) !== auditValue(block.data)) changes.data = change.data as QueryDeepPartialEntity<unknown>;
    if (Object.keys(changes).length === 0) return;
    await manager.update(CaseBlockEntity, { id: block.id }, changes);
    await this.cases.touch(manager, current);
    await this.audit.record(manager, organizationId, caseId, actor, {
      type: 'block_edited',
      block: key,
      from: auditValue({ title: block.title, data: block.data }),
      to: auditValue({ title: change.title ?? block.title, data: change.data ?? block.data }),
    });
  }

  /** Approves a block or asks for it again; the decision is kept with who and when, whatever the case decision. */
  async decide(manager: EntityManager, organizationId: string, caseId: string, key: string, action: BlockAction, reason: string | null, actor: Actor) {
    const current = await this.cases.lockCase(manager, organizationId, caseId);
    const block = await this.find(manager, organizationId, caseId, key);
    if (!DECIDABLE.has(block.type)) {
      throw new ConflictError('BLOCK_ACTION_NOT_AVAILABLE', `Block "${key}" is ${block.type}: only document and kyc blocks take decisions.`, {
        block: key,
        type: block.type,
      });
    }
    const status = STATUS_BY_ACTION[action];
    const decision = { action, by: actor.id, at: new Date().toISOString(), reason };
    await manager.update(CaseBlockEntity, { id: block.id }, { status, decision });
    await this.cases.touch(manager, current);
    await this.audit.record(manager, organizationId, caseId, actor, { type: 'block_decided', block: key, from: block.status, to: status, reason });
    return { ...block, status, decision };
  }

  /** The case-level re-upload request: every block flagged for re-upload is now awaited. Returns how many. */
  async requestReuploads(manager: EntityManager, organizationId: string, caseId: string, actor: Actor): Promise<number> {
    const flagged = await manager.find(CaseBlockEntity, { where: { organizationId, caseId, status: 'reupload_needed' } });
    if (flagged.length === 0) return 0;
    await manager.update(CaseBlockEntity, { id: In(flagged.map((block) => block.id)) }, { status: 'pending_reupload' });
    for (const block of flagged) {
      await this.audit.record(manager, organizationId, caseId, actor, { type: 'block_status_changed', block: block.key, from: 'reupload_needed', to: 'pending_reupload' });
    }
    return flagged.length;
  }

  /** Adds or replaces a block (workflows put registry answers and enrichments this way). */
  async put(manager: EntityManager, organizationId: string, caseId: string, input: BlockInput, actor: Actor): Promise<{ created: boolean }> {
    const current = await this.cases.lockCase(manager, organizationId, caseId);
    const existing = await manager.findOne(CaseBlockEntity, { where: { organizationId, caseId, key: input.key } });
    const values = { type: input.type, title: input.title, data: (input.data ?? {}) as QueryDeepPartialEntity<unknown>, status: input.status ?? null };
    if (existing) {
      await manager.update(CaseBlockEntity, { id: existing.id }, values);
    } else {
      const position = await manager.count(CaseBlockEntity, { where: { organizationId, caseId } });
      await manager.insert(CaseBlockEntity, { organizationId, caseId, key: input.key, decision: null, position, ...values });
    }
    await this.cases.touch(manager, current);
    await this.audit.record(manager, organizationId, caseId, actor, {
      type: existing ? 'block_replaced' : 'block_added',
      block: input.key,
      from: existing ? auditValue(existing.data) : null,
      to: auditValue(input.data ?? {}),
    });
    return { created: !existing };
  }

  private async find(manager: EntityManager, organizationId: string, caseId: string, key: string): Promise<CaseBlockEntity> {
    const block = await manager.findOne(CaseBlockEntity, { where: { organizationId, caseId, key } });
    if (!block) throw new NotFoundError('Block', key);
    return block;
  }
}
