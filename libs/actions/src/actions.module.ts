import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CasesModule } from '@app/cases';
import { ActionRegistry } from './action-registry.service';
import { CaseUpdateStatusAction } from './builtin/case-update-status.action';

@Module({
  imports: [DiscoveryModule, CasesModule],
  providers: [ActionRegistry, CaseUpdateStatusAction],
  exports: [ActionRegistry],
})
export class ActionsModule {}
