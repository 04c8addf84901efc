import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The spine's schema: tenants and keys, status sets, versioned definitions, cases with their
 * audit trail, runs and step executions. Every row carries its organization so that every query
 * can be scoped by it without a join.
 */
export class InitialSchema1763884800000 implements MigrationInterface {
  name = 'InitialSchema1763884800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'author', 'pipeline', 'reviewer')),
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_organization ON api_keys (organization_id);

      CREATE TABLE status_sets (
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        key text NOT NULL,
        label text NOT NULL,
        action_targets jsonb NOT NULL DEFAULT '{}',
        built_in boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, key)
      );

      CREATE TABLE statuses (
        organization_id uuid NOT NULL,
        set_key text NOT NULL,
        key text NOT NULL,
        label text NOT NULL,
        category text NOT NULL CHECK (category IN ('open', 'pending', 'approved', 'declined')),
        terminal boolean NOT NULL DEFAULT false,
        initial boolean NOT NULL DEFAULT false,
        actions text[] NOT NULL DEFAULT '{}',
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, set_key, key),
        FOREIGN KEY (organization_id, set_key) REFERENCES status_sets (organization_id, key) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX statuses_one_initial_per_set ON statuses (organization_id, set_key) WHERE initial;

      CREATE TABLE workflow_definitions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        key text NOT NULL,
        name text NOT NULL,
        latest_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, key)
      );

      CREATE TABLE workflow_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        workflow_id uuid NOT NULL REFERENCES workflow_definitions (id) ON DELETE CASCADE,
        key text NOT NULL,
        version integer NOT NULL,
        -- json, not jsonb: the definition keeps the author's key order and layout.
        definition json NOT NULL,
        checksum text NOT NULL,
        published_by text NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workflow_id, version)
      );

      CREATE TABLE cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        type text NOT NULL,
        status_set text NOT NULL,
        status text NOT NULL,
        assignee text,
        tags text[] NOT NULL DEFAULT '{}',
        data jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        parent_id uuid REFERENCES cases (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- A status that a case uses cannot be deleted.
        FOREIGN KEY (organization_id, status_set, status) REFERENCES statuses (organization_id, set_key, key)
      );
      CREATE INDEX cases_organization_created ON cases (organization_id, created_at DESC, id DESC);
      CREATE INDEX cases_parent ON cases (parent_id) WHERE parent_id IS NOT NULL;

      CREATE TABLE case_blocks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        key text NOT NULL,
        type text NOT NULL CHECK (type IN ('user_data', 'registry_data', 'enriched_data', 'document', 'kyc')),
        title text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        status text CHECK (status IN ('approved', 'reupload_needed', 'pending_id_verification', 'pending_reupload')),
        decision jsonb,
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, key)
      );

      CREATE TABLE case_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL,
        case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        type text NOT NULL,
        actor text NOT NULL,
        source text NOT NULL CHECK (source IN ('reviewer', 'pipeline', 'workflow', 'system')),
        from_value text,
        to_value text,
        reason text,
        block text,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX case_events_case ON case_events (case_id, id);

      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        case_id uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        workflow_version_id uuid NOT NULL REFERENCES workflow_versions (id),
        workflow_key text NOT NULL,
        workflow_version integer NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'cancelled')),
        state text NOT NULL,
        snapshot jsonb NOT NULL,
        error jsonb,
        current_step_execution_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      );
      CREATE INDEX runs_case ON runs (case_id, created_at);
      -- One active run per case: case actions send their events to it.
      CREATE UNIQUE INDEX runs_one_active_per_case ON runs (case_id) WHERE status IN ('running', 'waiting');

      CREATE TABLE run_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('state', 'event')),
        name text NOT NULL,
        accepted boolean,
        payload jsonb,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX run_history_run ON run_history (run_id, id);

      CREATE TABLE step_executions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL,
        run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        state text NOT NULL,
        step_index integer NOT NULL,
        step_id text NOT NULL,
        action text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 1,
        continue_on_error boolean NOT NULL DEFAULT false,
        output jsonb,
        error jsonb,
        queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX step_executions_run ON step_executions (run_id, queued_at);
      CREATE INDEX step_executions_pending ON step_executions (queued_at) WHERE status IN ('queued', 'running');

      -- Published versions and the audit trail are append-only, whatever the application does.
      CREATE FUNCTION caseflow_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER workflow_versions_append_only BEFORE UPDATE OR DELETE ON workflow_versions
        FOR EACH ROW EXECUTE FUNCTION caseflow_refuse_change();
      CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
        FOR EACH ROW EXECUTE FUNCTION caseflow_refuse_change();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE IF EXISTS step_executions, run_history, runs, case_events, case_blocks, cases,
        workflow_versions, workflow_definitions, statuses, status_sets, api_keys, organizations CASCADE;
      DROP FUNCTION IF EXISTS caseflow_refuse_change();
    `);
  }
}
