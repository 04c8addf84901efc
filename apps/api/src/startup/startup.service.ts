import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeysService, OrganizationsService } from '@app/auth';
import { CaseflowConfig } from '@app/common';
import { WorkflowFolderPublisher } from '@app/workflows';
import { LOCAL_ADMIN_KEY_FILE, localAdminKey } from './local-admin-key.util';

/**
 * What must exist before the API serves: the `default` organization, the CASEFLOW_ADMIN_KEY
 * bootstrap key, and the definitions of the workflows folder, published as new versions if changed.
 */
@Injectable()
export class StartupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(StartupService.name);

  constructor(
    private readonly config: CaseflowConfig,
    private readonly organizations: OrganizationsService,
    private readonly apiKeys: ApiKeysService,
    private readonly folder: WorkflowFolderPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const organization = await this.organizations.ensureDefault();
    if (this.config.CASEFLOW_ADMIN_KEY) {
      await this.apiKeys.installBootstrapKey(organization.id, this.config.CASEFLOW_ADMIN_KEY);
    } else if (process.env.NODE_ENV !== 'production') {
      const { key, created } = localAdminKey();
      await this.apiKeys.installBootstrapKey(organization.id, key);
      this.logger.log(`CASEFLOW_ADMIN_KEY is not set: ${created ? 'generated' : 'using'} the local admin key in ${LOCAL_ADMIN_KEY_FILE}`);
    } else {
      this.logger.warn('CASEFLOW_ADMIN_KEY is not set: no admin key exists until you set it and restart.');
    }
    await this.folder.publishFolder(organization.id, this.config.CASEFLOW_WORKFLOWS_DIR);
  }
}
