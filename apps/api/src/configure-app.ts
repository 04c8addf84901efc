import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CaseflowConfig } from '@app/common';
import { workflowDefinitionSchema } from '@app/workflow-core';
import { jsonBodyErrors, jsonBodyLimits } from './filters/json-body.middleware';
import { createValidationPipe } from './filters/validation.pipe';

/** HTTP settings shared by `npm run start:api`, `npm start` and the e2e tests. */
export function configureApi(app: INestApplication): void {
  const config = app.get(CaseflowConfig);
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: config.CASEFLOW_BODY_LIMIT });
  express.use(jsonBodyErrors);
  express.use(jsonBodyLimits);
  express.disable('x-powered-by');
  app.setGlobalPrefix('v1', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Caseflow')
      .setDescription('Workflow engine for compliance case management. Errors are `{ error: { code, message, details } }`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, WorkflowDefinition: workflowDefinitionSchema as never } };
  SwaggerModule.setup('docs', app, document);
}
