import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CasesModule } from '@app/cases';
import { ActionRegistry } from './action-registry.service';
import { BUILT_IN_ACTIONS } from './builtin';

@Module({
  imports: [DiscoveryModule, CasesModule],
  providers: [ActionRegistry, ...BUILT_IN_ACTIONS],
  exports: [ActionRegistry],
})
export class ActionsModule {}
