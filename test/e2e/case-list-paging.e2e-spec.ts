import { DataSource } from 'typeorm';
import { CaseListRepository, PAGE_WINDOW } from '@app/cases';
import { E2eClient, expectError } from '../support/e2e-client';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Keyset pages of GET /v1/cases: walking every page while cases keep arriving never skips or
 * repeats one, including cases created at the same instant or a microsecond apart, which a
 * millisecond cursor (a JS Date) would get wrong.
 */
describe('case list: keyset pagination', () => {
  let testApp: TestApp;
  let reviewer: E2eClient;
  let pipeline: E2eClient;
  let db: DataSource;
  const initial = new Set<string>();

  beforeAll(async () => {
    testApp = await startTestApp('case-list-paging', { worker: false });
    db = testApp.get(DataSource);
    [reviewer, pipeline] = await Promise.all([E2eClient.issue(testApp, 'reviewer'), E2eClient.issue(testApp, 'pipeline')]);
    // Ten at a time through the API, so neighbours are often created within one millisecond.
    for (let batch = 0; batch < 25; batch++) {
      const created = await Promise.all(Array.from({ length: 10 }, (_, i) => pipeline.post('/v1/cases', { type: 'paging', data: { n: batch * 10 + i } })));
      for (const response of created) {
        expect(response.status).toBe(201);
        initial.add(response.body.id);
      }
    }
    // The API cannot be made to create cases at one instant or 1 µs apart, so these are inserted in
    // SQL: 30 sharing one created_at (the id breaks the tie) and 30 a microsecond apart.
    const [{ id: organizationId }] = await db.query(`SELECT id FROM organizations WHERE slug = 'default'`);
    const inserted = await db.query(
      `INSERT INTO cases (organization_id, type, status_set, status, data, created_at)
       SELECT $1, 'paging', 'default', 'open', jsonb_build_object('tie', i),
              CASE WHEN i <= 30 THEN timestamptz '2025-06-01 12:00:00.000500+00'
                   ELSE timestamptz '2025-06-01 11:00:00.000000+00' + i * interval '1 microsecond' END
       FROM generate_series(1, 60) AS i RETURNING id`,
      [organizationId],
    );
    for (const row of inserted as Array<{ id: string }>) initial.add(row.id);
  });

  afterAll(async () => {
    await testApp?.close();
  });

  const page = async (query: string) => {
    const response = await reviewer.get(`/v1/cases?type=paging&${query}`);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
    return response.body as { items: Array<{ id: string; createdAt: string }>; nextCursor: string | null };
  };

  it('walks every case exactly once while other cases are being created between page fetches', async () => {
    let stop = false;
    let added = 0;
    let addedSignal: () => void = () => undefined;
    const waitForAnInsert = (seen: number) =>
      new Promise<void>((resolve) => {
        if (added > seen) return resolve();
        addedSignal = resolve;
      });
    const first = await page('limit=20');
    const inserter = (async () => {
      while (!stop) {
        const response = await pipeline.post('/v1/cases', { type: 'paging', data: { late: true } });
        expect(response.status).toBe(201);
        added++;
        addedSignal();
      }
    })();

    const seen: string[] = first.items.map((item) => item.id);
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor) {
      await waitForAnInsert(added); // at least one new case lands between every two pages
      const next = await page(`limit=20&cursor=${cursor}`);
      expect(next.items.length).toBeLessThanOrEqual(20);
      seen.push(...next.items.map((item) => item.id));
      cursor = next.nextCursor;
      pages++;
    }
    stop = true;
    await inserter;

    expect(added).toBeGreaterThanOrEqual(pages - 1);
    expect(seen.length).toBe(new Set(seen).size); // no case twice
    expect(new Set(seen)).toEqual(initial); // every case that existed, and none of the late ones
    expect(pages).toBe(Math.ceil(initial.size / 20));
    // The late cases were there all along, newer than the walk: a new first page starts with them.
    const fresh = await page('limit=200');
    expect(fresh.items.slice(0, added).every((item) => !initial.has(item.id))).toBe(true);
  });

  it('orders newest first, ties by id descending, and agrees with a walk of any page size', async () => {
    const walk = async (limit: number, filter = '') => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await page(`limit=${limit}${filter}${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
      } while (cursor);
      return ids;
    };
    const expected = (
      await db.query(`SELECT id FROM cases WHERE type = 'paging' AND NOT data ? 'late' ORDER BY created_at DESC, id DESC`)
    ).map((row: { id: string }) => row.id);
    const lateIds = new Set((await db.query(`SELECT id FROM cases WHERE data ? 'late'`)).map((row: { id: string }) => row.id));
    for (const limit of [1, 7, 30, 200]) expect((await walk(limit)).filter((id) => !lateIds.has(id))).toEqual(expected);
    // The same through a filter that leaves every other case out (data values are repeated, never
    // comma-split, since a value may hold a comma).
    const tied = await walk(4, Array.from({ length: 10 }, (_, i) => `&data.tie=${i + 1}`).join(''));
    expect(tied).toHaveLength(10);
    expect(tied).toEqual([...tied].sort().reverse()); // one created_at, so by id descending
  });

  it('pages through a word search the same way', async () => {
    // Cases whose data holds a number starting with 1: full pages come from the ordered walk of
    // the newest cases, the last one from the index (see CaseListRepository.searchPage).
    const expected = (
      await db.query(`SELECT id FROM cases WHERE type = 'paging' AND search @@ to_tsquery('simple', '1:*') ORDER BY created_at DESC, id DESC`)
    ).map((row: { id: string }) => row.id);
    expect(expected.length).toBeGreaterThan(100);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const body = await page(`q=1&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('gives the same pages when the window read first is smaller than the list (both steps taken)', async () => {
    // Statuses and tags on a pattern, so that some filters are dense and some sparse in the window.
    await db.query(`UPDATE cases SET status = 'pending' WHERE type = 'paging' AND (data->>'n')::int % 3 = 0`);
    await db.query(`UPDATE cases SET tags = '{rare}' WHERE type = 'paging' AND (data->>'n')::int IN (5, 120, 240)`);
    await db.query(`UPDATE cases SET tags = '{dense}' WHERE type = 'paging' AND (data->>'n')::int % 2 = 0`);
    const repository = testApp.get(CaseListRepository);
    repository.window = 13;
    try {
      const cases = [
        ['', `TRUE`],
        ['&status=pending', `status = 'pending'`],
        ['&status=pending,open&tag=dense', `status IN ('pending', 'open') AND tags @> '{dense}'`],
        ['&tag=rare', `tags @> '{rare}'`],
        ['&q=1', `search @@ to_tsquery('simple', '1:*')`],
        ['&status=pending&q=2', `status = 'pending' AND search @@ to_tsquery('simple', '2:*')`],
        ['&data.tie=3&data.tie=30&data.tie=31', `data->'tie' IN ('3', '30', '31')`],
      ];
      for (const [query, where] of cases) {
        const expected = (await db.query(`SELECT id FROM cases WHERE type = 'paging' AND ${where} ORDER BY created_at DESC, id DESC`)).map((row: { id: string }) => row.id);
        for (const limit of [4, 20]) {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const body = await page(`limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
            seen.push(...body.items.map((item) => item.id));
            cursor = body.nextCursor;
          } while (cursor);
          expect({ query, limit, seen }).toEqual({ query, limit, seen: expected });
        }
      }
    } finally {
      repository.window = PAGE_WINDOW;
    }
  });

  it('defaults to 50 a page and ends with a null nextCursor', async () => {
    const body = await page('');
    expect(body.items).toHaveLength(50);
    expect(typeof body.nextCursor).toBe('string');
    const last = await page(`limit=200&cursor=${body.nextCursor}`);
    const rest = await page(`limit=200&cursor=${last.nextCursor}`);
    expect(rest.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not hand out with 400 INVALID_CURSOR', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'garbage',
      forged({ createdAt: "2025-01-01T00:00:00Z' OR '1'='1", id: '00000000-0000-4000-8000-000000000000' }),
      forged({ createdAt: '2025-01-01T00:00:00Z', id: "x' OR 1=1 --" }),
      forged({ createdAt: '2025-01-01', id: '00000000-0000-4000-8000-000000000000' }),
      forged(['2025-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000']),
    ]) {
      expectError(await reviewer.get(`/v1/cases?cursor=${encodeURIComponent(cursor)}`), 400, 'INVALID_CURSOR');
    }
    // A well-formed cursor is only a position: one from before every case gives an empty page.
    expect((await page(`cursor=${forged({ createdAt: '2000-01-01T00:00:00Z', id: '00000000-0000-4000-8000-000000000000' })}`)).items).toEqual([]);
  });
});
