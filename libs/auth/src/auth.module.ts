import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatusesModule } from '@app/statuses';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { OrganizationEntity } from './organization.entity';
import { OrganizationsService } from './organizations.service';

@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity, ApiKeyEntity]), StatusesModule],
  providers: [ApiKeysService, OrganizationsService],
  exports: [ApiKeysService, OrganizationsService],
})
export class AuthModule {}
