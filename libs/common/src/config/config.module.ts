import { Global, Module } from '@nestjs/common';
import { CaseflowConfig, loadConfig } from './caseflow.config';

/** Provides the validated CaseflowConfig to every module; it is read from the environment once. */
@Global()
@Module({
  providers: [{ provide: CaseflowConfig, useFactory: () => loadConfig() }],
  exports: [CaseflowConfig],
})
export class ConfigModule {}
