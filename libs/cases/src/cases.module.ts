import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusesModule } from '@app/statuses';
import { CaseBlockEntity } from './case-block.entity';
import { CaseEventEntity } from './case-event.entity';
import { CaseEntity } from './case.entity';
import { CasesService } from './cases.service';

@Module({
  imports: [TypeOrmModule.forFeature([CaseEntity, CaseBlockEntity, CaseEventEntity]), StatusesModule],
  providers: [CasesService],
  exports: [CasesService],
})
export class CasesModule {}
