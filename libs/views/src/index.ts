export * from './view.entity';
export * from './views.service';
export * from './views.module';
