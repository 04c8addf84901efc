import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CaseflowConfig } from '@app/common';
import { requestLogger, requestMetrics, ROOT_LOGGER } from '@app/platform';
import { workflowDefinitionSchema } from '@app/workflow-core';
import { answerClientErrors } from './filters/client-error.handler';
import { jsonBodyErrors, jsonBodyLimits } from './filters/json-body.middleware';
import { createValidationPipe } from './filters/validation.pipe';
import { jsonSchemaToComponents } from './openapi/json-schema-to-openapi.util';

/** HTTP settings shared by `npm run start:api`, `npm start` and the e2e tests. */
export function configureApi(app: INestApplication): void {
  const config = app.get(CaseflowConfig);
  const express = app as NestExpressApplication;
  // First, so that a request refused by the body parser is logged and timed too.
  express.use(requestLogger(app.get(ROOT_LOGGER)));
  express.use(requestMetrics());
  express.useBodyParser('json', { limit: config.CASEFLOW_BODY_LIMIT });
  express.use(jsonBodyErrors);
  express.use(jsonBodyLimits);
  express.disable('x-powered-by');
  answerClientErrors(app.getHttpServer());
  app.setGlobalPrefix('v1', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Caseflow')
      .setDescription(
        'Workflow engine for compliance case management. Every error is the `ErrorResponse` envelope `{ error: { code, message, details? } }`; ' +
          'each operation lists its statuses and main codes. Any operation may also answer 503 SERVICE_UNAVAILABLE while PostgreSQL or Redis ' +
          'is away (retry), and 500 INTERNAL_ERROR for the unexpected.',
      )
      .setVersion('1')
      // API keys are opaque random strings (`cf_...`), not JWTs: the default bearerFormat would say otherwise.
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key: `Authorization: Bearer <key>`; its role decides what it may do' })
      .build(),
  );
  // Request bodies of the definition routes refer to WorkflowDefinition (see WorkflowsController).
  const definition = jsonSchemaToComponents('WorkflowDefinition', workflowDefinitionSchema as never);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...definition } };
  SwaggerModule.setup('docs', app, document);
}
