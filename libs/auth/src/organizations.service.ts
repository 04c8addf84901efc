import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError } from '@app/common';
import { StatusesService } from '@app/statuses';
import { ApiKeysService, IssuedApiKey } from './api-keys.service';
import { OrganizationEntity } from './organization.entity';

export const DEFAULT_ORGANIZATION_SLUG = 'default';

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statuses: StatusesService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  /** Creates an organization with the built-in status sets and its first admin key (shown once). */
  async create(name: string, slug: string): Promise<{ organization: OrganizationEntity; apiKey: IssuedApiKey }> {
    return this.dataSource.transaction(async (manager) => {
      // ON CONFLICT rather than a check first: two concurrent creations of one slug get one winner.
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(OrganizationEntity)
        .values({ name, slug })
        .orIgnore()
        .returning('id')
        .execute();
      if (inserted.raw.length === 0) throw new ConflictError('ORGANIZATION_EXISTS', `An organization with slug "${slug}" already exists.`);
      const organization = await manager.findOneOrFail(OrganizationEntity, { where: { id: inserted.raw[0].id } });
      await this.statuses.seedBuiltIns(manager, organization.id);
      const apiKey = await this.apiKeys.issue(organization.id, 'admin', 'first admin key', manager);
      return { organization, apiKey };
    });
  }

  async findBySlug(slug: string): Promise<OrganizationEntity | null> {
    return this.dataSource.manager.findOne(OrganizationEntity, { where: { slug } });
  }

  async findById(id: string): Promise<OrganizationEntity | null> {
    return this.dataSource.manager.findOne(OrganizationEntity, { where: { id } });
  }

  /** The `default` organization exists from the first start; concurrent starts agree on one row. */
  async ensureDefault(): Promise<OrganizationEntity> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['caseflow:default-organization']);
      const existing = await manager.findOne(OrganizationEntity, { where: { slug: DEFAULT_ORGANIZATION_SLUG } });
      if (existing) return existing;
      const organization = await manager.save(OrganizationEntity, manager.create(OrganizationEntity, { name: 'Default', slug: DEFAULT_ORGANIZATION_SLUG }));
      await this.statuses.seedBuiltIns(manager, organization.id);
      return organization;
    });
  }
}
