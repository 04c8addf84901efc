import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@app/cases';
import { ViewEntity } from './view.entity';
import { ViewsService } from './views.service';

@Module({
  imports: [TypeOrmModule.forFeature([ViewEntity]), CasesModule],
  providers: [ViewsService],
  exports: [ViewsService],
})
export class ViewsModule {}
