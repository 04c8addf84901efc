import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusSetEntity } from './status-set.entity';
import { StatusEntity } from './status.entity';
import { StatusesService } from './statuses.service';

@Module({
  imports: [TypeOrmModule.forFeature([StatusSetEntity, StatusEntity])],
  providers: [StatusesService],
  exports: [StatusesService],
})
export class StatusesModule {}
