import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError, UnprocessableError } from '@app/common';
import { BUILT_IN_STATUS_SETS } from './built-in-status-sets';
import { CaseAction, StatusSetEntity } from './status-set.entity';
import { StatusCategory, StatusEntity } from './status.entity';

export interface NewStatus {
  set: string;
  key: string;
  label: string;
  category: StatusCategory;
  terminal?: boolean;
  initial?: boolean;
  actions?: CaseAction[];
  /** Only when the set is new: its label and where each case action leads. */
  setLabel?: string;
  actionTargets?: Partial<Record<CaseAction, string>>;
}

export interface StatusSetView {
  key: string;
  label: string;
  builtIn: boolean;
  actionTargets: Partial<Record<CaseAction, string>>;
  statuses: Array<Pick<StatusEntity, 'key' | 'label' | 'category' | 'terminal' | 'initial' | 'actions'>>;
}

@Injectable()
export class StatusesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Gives a new organization the built-in sets; run inside the transaction that creates it. */
  async seedBuiltIns(manager: EntityManager, organizationId: string): Promise<void> {
    for (const set of BUILT_IN_STATUS_SETS) {
      await manager.insert(StatusSetEntity, {
        organizationId,
        key: set.key,
        label: set.label,
        actionTargets: set.actionTargets,
        builtIn: true,
      });
      await manager.insert(
        StatusEntity,
        set.statuses.map((status, position) => ({
          organizationId,
          setKey: set.key,
          key: status.key,
          label: status.label,
          category: status.category,
          terminal: status.terminal ?? false,
          initial: status.initial ?? false,
          actions: status.actions ?? [],
          position,
        })),
      );
    }
  }

  async findStatus(organizationId: string, setKey: string, key: string, manager: EntityManager = this.dataSource.manager) {
    return manager.findOne(StatusEntity, { where: { organizationId, setKey, key } });
  }

  /** Several statuses of one set in one query, by key. */
  async findSet(organizationId: string, key: string, manager: EntityManager = this.dataSource.manager) {
    return manager.findOne(StatusSetEntity, { where: { organizationId, key } });
  }

  async initialStatus(organizationId: string, setKey: string, manager: EntityManager = this.dataSource.manager): Promise<StatusEntity> {
    const status = await manager.findOne(StatusEntity, { where: { organizationId, setKey, initial: true } });
    if (!status) {
      const set = await this.findSet(organizationId, setKey, manager);
      if (!set) throw new UnprocessableError('UNKNOWN_STATUS_SET', `Status set "${setKey}" does not exist.`, { statusSet: setKey });
      throw new UnprocessableError('STATUS_SET_HAS_NO_INITIAL', `Status set "${setKey}" has no initial status.`);
    }
    return status;
  }

  /** Status keys per set, for validating the statuses a definition names. */
  async statusKeysBySet(organizationId: string): Promise<Map<string, Set<string>>> {
    const rows = await this.dataSource.manager.find(StatusEntity, {
      where: { organizationId },
      select: { setKey: true, key: true },
    });
    const sets = await this.dataSource.manager.find(StatusSetEntity, { where: { organizationId }, select: { key: true } });
    const bySet = new Map<string, Set<string>>(sets.map((set) => [set.key, new Set<string>()]));
    for (const row of rows) bySet.get(row.setKey)?.add(row.key);
    return bySet;
  }

  async listSets(organizationId: string): Promise<StatusSetView[]> {
    const sets = await this.dataSource.manager.find(StatusSetEntity, { where: { organizationId }, order: { createdAt: 'ASC', key: 'ASC' } });
    const statuses = await this.dataSource.manager.find(StatusEntity, {
      where: { organizationId },
      order: { setKey: 'ASC', position: 'ASC' },
    });
    return sets.map((set) => ({
      key: set.key,
      label: set.label,
      builtIn: set.builtIn,
      actionTargets: set.actionTargets,
      statuses: statuses
        .filter((status) => status.setKey === set.key)
        .map(({ key, label, category, terminal, initial, actions }) => ({ key, label, category, terminal, initial, actions })),
    }));
  }

  /** Adds a custom status, creating its set when it is new (the first status of a new set is its initial one). */
  async addStatus(organizationId: string, input: NewStatus): Promise<StatusEntity> {
    return this.dataSource.transaction(async (manager) => {
      // Creating the set if it is new and locking it are one step, so concurrent additions to a new
      // set queue up behind the first instead of colliding on its primary key.
      await manager
        .createQueryBuilder()
        .insert()
        .into(StatusSetEntity)
        .values({ organizationId, key: input.set, label: input.setLabel ?? input.set, actionTargets: input.actionTargets ?? {}, builtIn: false })
        .orIgnore()
        .execute();
      await manager.findOneOrFail(StatusSetEntity, { where: { organizationId, key: input.set }, lock: { mode: 'pessimistic_write' } });
      const existing = await manager.find(StatusEntity, { where: { organizationId, setKey: input.set } });
      if (existing.some((status) => status.key === input.key)) {
        throw new ConflictError('STATUS_EXISTS', `Status "${input.key}" already exists in set "${input.set}".`);
      }
      const initial = input.initial ?? existing.length === 0;
      if (initial) await manager.update(StatusEntity, { organizationId, setKey: input.set }, { initial: false });
      await manager.insert(StatusEntity, {
        organizationId,
        setKey: input.set,
        key: input.key,
        label: input.label,
        category: input.category,
        terminal: input.terminal ?? false,
        initial,
        actions: input.terminal ? [] : (input.actions ?? []),
        position: existing.length,
      });
      return manager.findOneOrFail(StatusEntity, { where: { organizationId, setKey: input.set, key: input.key } });
    });
  }

  async deleteStatus(organizationId: string, setKey: string, key: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const status = await manager.findOne(StatusEntity, { where: { organizationId, setKey, key }, lock: { mode: 'pessimistic_write' } });
      if (!status) throw new NotFoundError('Status', `${setKey}/${key}`);
      const set = await manager.findOneOrFail(StatusSetEntity, { where: { organizationId, key: setKey } });
      if (status.initial) throw new ConflictError('STATUS_IS_INITIAL', `"${key}" is the initial status of set "${setKey}".`);
      if (Object.values(set.actionTargets).includes(key)) {
        throw new ConflictError('STATUS_IS_ACTION_TARGET', `"${key}" is where a case action of set "${setKey}" leads.`);
      }
      const [{ count }] = await manager.query(
        'SELECT count(*)::int AS count FROM cases WHERE organization_id = $1 AND status_set = $2 AND status = $3',
        [organizationId, setKey, key],
      );
      if (count > 0) throw new ConflictError('STATUS_IN_USE', `Status "${key}" is used by ${count} case(s) and cannot be deleted.`, { cases: count });
      await manager.delete(StatusEntity, { organizationId, setKey, key });
    });
  }
}
