import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviewers' case management: the workflow a case runs (for views), full-text search over its
 * data, saved views, stored answers for idempotent pipeline calls, and the indexes that keep the
 * case list fast at a million cases.
 */
export class CaseManagement1763899200000 implements MigrationInterface {
  name = 'CaseManagement1763899200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE cases ADD COLUMN workflow text;
      -- Every string value of the case's data, as words: what the list's q= searches.
      ALTER TABLE cases ADD COLUMN search tsvector
        GENERATED ALWAYS AS (jsonb_to_tsvector('simple', data, '["string", "numeric"]')) STORED;

      CREATE INDEX cases_organization_status ON cases (organization_id, status, created_at DESC, id DESC);
      CREATE INDEX cases_organization_type ON cases (organization_id, type, created_at DESC, id DESC);
      CREATE INDEX cases_organization_assignee ON cases (organization_id, assignee, created_at DESC, id DESC);
      CREATE INDEX cases_organization_workflow ON cases (organization_id, workflow, created_at DESC, id DESC);
      CREATE INDEX cases_tags ON cases USING gin (tags);
      CREATE INDEX cases_data ON cases USING gin (data jsonb_path_ops);
      CREATE INDEX cases_search ON cases USING gin (search);

      CREATE TABLE views (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        filter jsonb NOT NULL,
        position integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      );

      CREATE TABLE idempotency_keys (
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        response_status integer NOT NULL,
        response_body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, key)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE IF EXISTS idempotency_keys, views;
      DROP INDEX IF EXISTS cases_organization_status, cases_organization_type, cases_organization_assignee,
        cases_organization_workflow, cases_tags, cases_data, cases_search;
      ALTER TABLE cases DROP COLUMN IF EXISTS search, DROP COLUMN IF EXISTS workflow;
    `);
  }
}
