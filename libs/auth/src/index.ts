export * from './organization.entity';
export * from './api-key.entity';
export * from './api-key.util';
export * from './api-keys.service';
export * from './organizations.service';
export * from './auth.module';
export * from './api-key-cache';
