import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { NotFoundError, UnprocessableError } from '@app/common';
import { ActionRegistry } from '@app/actions';
import { StatusesService } from '@app/statuses';
import { compileWorkflow, CompiledWorkflow, DefinitionProblem, validateDefinition, WorkflowDefinition } from '@app/workflow-core';
import { checksumOf } from './canonical-json.util';
import { WorkflowDefinitionEntity } from './workflow-definition.entity';
import { WorkflowVersionEntity } from './workflow-version.entity';

export interface PublishResult {
  key: string;
  version: number;
  /** False when the definition equals the latest version and `onlyIfChanged` was asked. */
  created: boolean;
}

const COMPILED_CACHE_SIZE = 500;

@Injectable()
export class WorkflowsService {
  /** Compiled machines by version id: versions are immutable, so an entry never goes stale. */
  private readonly compiledCache = new Map<string, CompiledWorkflow>();
  private readonly versionCache = new Map<string, WorkflowVersionEntity>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly actions: ActionRegistry,
    private readonly statuses: StatusesService,
  ) {}

  async validate(organizationId: string, definition: unknown): Promise<DefinitionProblem[]> {
    return validateDefinition(definition, {
      actions: this.actions.descriptors(),
      statusSets: await this.statuses.statusKeysBySet(organizationId),
    });
  }

  /** Stores the definition as version N+1. Nothing invalid is stored: 422 lists every problem. */
  async publish(organizationId: string, definition: unknown, publishedBy: string, options: { onlyIfChanged?: boolean } = {}): Promise<PublishResult> {
    const problems = await this.validate(organizationId, definition);
    if (problems.length > 0) {
      throw new UnprocessableError('INVALID_DEFINITION', `The definition has ${problems.length} problem(s).`, { problems });
    }
    const valid = definition as WorkflowDefinition;
    const checksum = checksumOf(valid);
    return this.dataSource.transaction(async (manager) => {
      // Serialises publishers of one key so that versions are gapless and never collide.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`caseflow:workflow:${organizationId}:${valid.key}`]);
      let workflow = await manager.findOne(WorkflowDefinitionEntity, { where: { organizationId, key: valid.key } });
      if (workflow && options.onlyIfChanged) {
        const latest = await manager.findOneOrFail(WorkflowVersionEntity, { where: { workflowId: workflow.id, version: workflow.latestVersion } });
        if (latest.checksum === checksum) return { key: valid.key, version: latest.version, created: false };
      }
      const version = (workflow?.latestVersion ?? 0) + 1;
      if (workflow) {
        await manager.update(WorkflowDefinitionEntity, { id: workflow.id }, { latestVersion: version, name: valid.name });
      } else {
        workflow = await manager.save(
          WorkflowDefinitionEntity,
          manager.create(WorkflowDefinitionEntity, { organizationId, key: valid.key, name: valid.name, latestVersion: version }),
        );
      }
      await manager.insert(WorkflowVersionEntity, {
        organizationId,
        workflowId: workflow.id,
        key: valid.key,
        version,
        definition: valid as QueryDeepPartialEntity<WorkflowDefinition>,
        checksum,
        publishedBy,
      });
      return { key: valid.key, version, created: true };
    });
  }

  async list(organizationId: string) {
    const rows = await this.dataSource.manager.find(WorkflowDefinitionEntity, { where: { organizationId }, order: { key: 'ASC' } });
    return rows.map(({ key, name, latestVersion, createdAt, updatedAt }) => ({ key, name, latestVersion, createdAt, updatedAt }));
  }

  async get(organizationId: string, key: string) {
    const workflow = await this.dataSource.manager.findOne(WorkflowDefinitionEntity, { where: { organizationId, key } });
    if (!workflow) throw new NotFoundError('Workflow', key);
    const versions = await this.dataSource.manager.find(WorkflowVersionEntity, {
      where: { workflowId: workflow.id },
      select: { version: true, publishedAt: true, publishedBy: true, checksum: true },
      order: { version: 'ASC' },
    });
    const latest = await this.version(organizationId, key, workflow.latestVersion);
    return {
      key: workflow.key,
      name: workflow.name,
      latestVersion: workflow.latestVersion,
      definition: latest.definition,
      versions: versions.map(({ version, publishedAt, publishedBy }) => ({ version, publishedAt, publishedBy })),
    };
  }

  async version(organizationId: string, key: string, version: number, manager: EntityManager = this.dataSource.manager) {
    const found = await manager.findOne(WorkflowVersionEntity, { where: { organizationId, key, version } });
    if (!found) throw new NotFoundError('Workflow version', `${key}@${version}`);
    return found;
  }

  /** The version new runs use: the latest published one. */
  async latest(organizationId: string, key: string, manager: EntityManager = this.dataSource.manager): Promise<WorkflowVersionEntity> {
    const workflow = await manager.findOne(WorkflowDefinitionEntity, { where: { organizationId, key } });
    if (!workflow) throw new NotFoundError('Workflow', key);
    return this.version(organizationId, key, workflow.latestVersion, manager);
  }

  /**
   * A version by id, from memory after the first read: published versions never change (the
   * table refuses updates), and every step execution needs its run's version.
   */
  async versionById(id: string, manager: EntityManager = this.dataSource.manager): Promise<WorkflowVersionEntity> {
    const cached = this.versionCache.get(id);
    if (cached) return cached;
    const version = await manager.findOneOrFail(WorkflowVersionEntity, { where: { id } });
    if (this.versionCache.size >= COMPILED_CACHE_SIZE) this.versionCache.delete(this.versionCache.keys().next().value as string);
    this.versionCache.set(id, version);
    return version;
  }

  compiled(version: WorkflowVersionEntity): CompiledWorkflow {
    let compiled = this.compiledCache.get(version.id);
    if (!compiled) {
      compiled = compileWorkflow(version.definition);
      if (this.compiledCache.size >= COMPILED_CACHE_SIZE) this.compiledCache.delete(this.compiledCache.keys().next().value as string);
      this.compiledCache.set(version.id, compiled);
    }
    return compiled;
  }
}
