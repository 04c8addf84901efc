import type { DataSource } from 'typeorm';

/** Skewed toward the first entries (HK, the 3rd, holds ~5% of the cases that have a company). */
const COUNTRIES = ['GB', 'US', 'HK', 'SG', 'DE', 'FR', 'CH', 'NL', 'JP', 'AU', 'CA', 'IE', 'AE', 'IN', 'CN',
  'BR', 'ES', 'IT', 'SE', 'NO', 'DK', 'FI', 'BE', 'AT', 'PL', 'PT', 'KR', 'MX', 'LU', 'PA'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Edsger', 'Barbara', 'Donald', 'Frances',
  'John', 'Radia', 'Ken', 'Dennis', 'Hedy', 'Tim', 'Sophie', 'Claude', 'Annie', 'Niklaus', 'Mary', 'Leslie',
  'Shafi', 'Tony', 'Jean', 'Karen', 'Guido', 'Bjarne', 'Anita', 'Yukihiro', 'Lin', 'Wei', 'Hana', 'Omar',
  'Fatima', 'Carlos', 'Lucia', 'Ivan', 'Olga', 'Piotr', 'Zofia', 'Jürgen', 'Ingrid', 'Sven', 'Aiko', 'Kenji',
  'Priya', 'Ravi', 'Chen', 'Mei'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Dijkstra', 'Liskov', 'Knuth',
  'Allen', 'McCarthy', 'Perlman', 'Thompson', 'Ritchie', 'Lamarr', 'Berners-Lee', 'Wilson', 'Shannon', 'Easley',
  'Wirth', 'Keller', 'Lamport', 'Goldwasser', 'Hoare', 'Sammet', 'Jones', 'Rossum', 'Stroustrup', 'Borg',
  'Matsumoto', 'Zhang', 'Wang', 'Sato', 'Haddad', 'Nasser', 'Garcia', 'Fernandez', 'Petrov', 'Ivanova',
  'Kowalski', 'Nowak', 'Schmidt', 'Larsen', 'Nilsson', 'Tanaka', 'Suzuki', 'Sharma', 'Patel', 'Li', 'Chen'];
const COMPANY = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent',
  'Hooli', 'Vandelay', 'Wonka', 'Gringotts', 'Oceanic', 'Pied Piper', 'Aperture', 'Black Mesa', 'Zürich Trust',
  'Kowloon Harbour', 'Marina Bay'];
const SUFFIX = ['Ltd', 'Limited', 'GmbH', 'AG', 'SA', 'Pte Ltd', 'Inc', 'LLC', 'BV', 'KK'];
// 20 slots each: how often a status occurs within its set.
const KYB_STATUSES = [...Array(9).fill('approved'), ...Array(3).fill('rejected'), ...Array(3).fill('collection_flow'),
  'manual_review', 'manual_review', 'pending_process', 'pending_id_verification', 'revisions'];
const DEFAULT_STATUSES = [...Array(10).fill('approved'), ...Array(4).fill('declined'), ...Array(3).fill('pending'), ...Array(3).fill('open')];

/**
 * N cases in one INSERT … SELECT over generate_series, deterministic (hash-based, not random()),
 * so every run measures the same table. The cases indexes are dropped first and rebuilt after
 * from their own definitions (as the migrations made them): building an index once is much
 * faster than maintaining it row by row. Foreign-key triggers are skipped (the rows are valid by
 * construction), which needs a superuser, as the local test server's postgres is.
 */
export async function seedCases(dataSource: DataSource, organizationId: string, count: number, progress: (message: string) => void): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const indexes: Array<{ name: string; definition: string }> = await runner.query(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'cases' AND indexname <> 'cases_pkey'`,
    );
    await runner.query(`SET session_replication_role = replica`);
    await runner.query(`SET synchronous_commit = off`);
    await runner.query(`SET maintenance_work_mem = '512MB'`);
    for (const index of indexes) await runner.query(`DROP INDEX ${index.name}`);
    await runner.query(`CREATE FUNCTION pg_temp.r(i bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
      $$ SELECT (hashint8(i * 64 + k)::float8 + 2147483648) / 4294967296.0 $$`);
    const started = Date.now();
    progress(`seeding ${count} cases`);
    await runner.query(
      `INSERT INTO cases (organization_id, type, status_set, status, assignee, tags, data, workflow, version, created_at, updated_at)
       SELECT $1, k.type, k.status_set,
              CASE WHEN k.status_set = 'kyb' THEN ($3::text[])[1 + floor(pg_temp.r(i, 1) * 20)::int]
                   ELSE ($4::text[])[1 + floor(pg_temp.r(i, 1) * 20)::int] END,
              CASE WHEN pg_temp.r(i, 2) < 0.5 THEN NULL ELSE 'reviewer-' || (1 + floor(pg_temp.r(i, 3) * 20)::int) END,
              array_remove(ARRAY[
                CASE WHEN pg_temp.r(i, 4) < 0.10 THEN 'urgent' END, CASE WHEN pg_temp.r(i, 5) < 0.03 THEN 'pep' END,
                CASE WHEN pg_temp.r(i, 6) < 0.02 THEN 'sanctions' END, CASE WHEN pg_temp.r(i, 7) < 0.05 THEN 'high-risk' END,
                CASE WHEN pg_temp.r(i, 8) < 0.01 THEN 'vip' END], NULL),
              CASE k.type
                WHEN 'person' THEN jsonb_build_object('name', k.person, 'country', k.country, 'email', 'user' || i || '@example.com',
                                                      'riskScore', k.risk, 'documents', jsonb_build_array('passport', 'selfie'))
                WHEN 'kyb' THEN jsonb_build_object('company', jsonb_build_object('name', k.company, 'country', k.country,
                                                     'registrationNumber', 'RN-' || (100000 + i)),
                                                   'contact', k.person, 'riskScore', k.risk)
                ELSE jsonb_build_object('amount', round((pg_temp.r(i, 9) * 100000)::numeric, 2), 'currency', 'EUR',
                                        'company', jsonb_build_object('name', k.company, 'country', k.country), 'riskScore', k.risk)
              END,
              CASE k.type
                WHEN 'kyb' THEN CASE WHEN pg_temp.r(i, 10) < 0.9 THEN 'kyb-onboarding' END
                WHEN 'person' THEN CASE WHEN pg_temp.r(i, 10) < 0.8 THEN 'id-document-check' END
                ELSE CASE WHEN pg_temp.r(i, 10) < 0.7 THEN 'transaction-alert-review' END
              END,
              1 + floor(pg_temp.r(i, 11) * 4)::int,
              -- Newest first; pairs share a created_at, so ties on it are common, as in bulk imports.
              timestamptz '2025-11-01 00:00:00+00' - (i / 2) * interval '61.234567 seconds',
              timestamptz '2025-11-01 00:00:00+00' - (i / 2) * interval '61.234567 seconds' + interval '1 hour'
       FROM generate_series(1, $2::int) AS i
       CROSS JOIN LATERAL (
         SELECT CASE WHEN i % 10 < 4 THEN 'kyb' WHEN i % 10 < 8 THEN 'person' ELSE 'transaction' END AS type,
                CASE WHEN i % 10 < 4 THEN 'kyb' ELSE 'default' END AS status_set,
                ($5::text[])[1 + floor(power(pg_temp.r(i, 12), 1.6) * 30)::int] AS country,
                ($6::text[])[1 + floor(pg_temp.r(i, 13) * 50)::int] || ' ' || ($7::text[])[1 + floor(pg_temp.r(i, 14) * 50)::int] AS person,
                ($8::text[])[1 + floor(pg_temp.r(i, 15) * 20)::int] || ' ' || ($9::text[])[1 + floor(pg_temp.r(i, 16) * 10)::int] AS company,
                floor(pg_temp.r(i, 17) * 100)::int AS risk
       ) AS k`,
      [organizationId, count, KYB_STATUSES, DEFAULT_STATUSES, COUNTRIES, FIRST, LAST, COMPANY, SUFFIX],
    );
    progress(`inserted in ${((Date.now() - started) / 1000).toFixed(0)} s; building ${indexes.length} indexes`);
    for (const index of indexes) {
      const at = Date.now();
      await runner.query(index.definition);
      progress(`  ${index.name} in ${((Date.now() - at) / 1000).toFixed(0)} s`);
    }
    await runner.query(`SET session_replication_role = origin`);
    progress('VACUUM ANALYZE cases');
    await runner.query(`VACUUM (ANALYZE) cases`);
  } finally {
    await runner.release();
  }
}
