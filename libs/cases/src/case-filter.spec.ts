import { CaseFilter, FILTER_LIMITS, mergeFilters, parseCaseFilter } from './case-filter';

const problemsOf = (input: unknown) => Object.fromEntries(parseCaseFilter(input).problems.map((p) => [p.path, p.message]));

describe('parseCaseFilter', () => {
  it('accepts every field and returns a clean copy', () => {
    const input = {
      workflow: ['kyb-onboarding'],
      status: ['manual_review', 'revisions'],
      type: ['kyb'],
      tag: ['urgent'],
      assignee: ['alice', null],
      data: [
        { path: 'company.country', op: 'eq', value: 'HK' },
        { path: 'riskScore', op: 'in', value: [10, 20, '30', null, true] },
        { path: 'owners.0.name', op: 'exists' },
        { path: 'aliases', op: 'contains', value: 'acme' },
      ],
    };
    const { filter, problems } = parseCaseFilter(input);
    expect(problems).toEqual([]);
    expect(filter).toEqual(input);
    expect(filter).not.toBe(input);
  });

  it('accepts the empty filter (every case) and an empty data list', () => {
    expect(parseCaseFilter({})).toEqual({ filter: {}, problems: [] });
    expect(parseCaseFilter({ data: [] })).toEqual({ filter: { data: [] }, problems: [] });
  });

  it('removes duplicate values', () => {
    expect(parseCaseFilter({ status: ['a', 'a', 'b'], data: [{ path: 'x', op: 'in', value: [1, 1, '1'] }] }).filter).toEqual({
      status: ['a', 'b'],
      data: [{ path: 'x', op: 'in', value: [1, '1'] }],
    });
  });

  it.each([null, [], 'status=open', 42, true])('refuses %p as a filter', (input) => {
    expect(parseCaseFilter(input)).toEqual({ problems: [{ path: '', message: 'must be an object' }] });
  });

  it('refuses unknown fields, at every level, with JSON pointers (escaped per RFC 6901)', () => {
    expect(problemsOf({ where: '1=1', 'a/b~c': 1, data: [{ path: 'x', op: 'eq', value: 1, sql: 'DROP TABLE cases' }] })).toEqual({
      '/where': expect.stringMatching(/unknown field "where"/),
      '/a~1b~0c': expect.stringMatching(/unknown field/),
      '/data/0/sql': expect.stringMatching(/unknown field "sql"/),
    });
  });

  it('lists every problem at once', () => {
    const problems = parseCaseFilter({
      status: 'open',
      type: [],
      assignee: [null, 7],
      tag: ['ok', 'x'.repeat(201)],
      data: [{ path: 'a', op: 'regex', value: '.*' }, { path: 'b', op: 'eq' }, 'nope'],
    }).problems;
    expect(problems.map((p) => p.path)).toEqual(['/status', '/type', '/tag/1', '/assignee/1', '/data/0/op', '/data/1/value', '/data/2']);
  });

  it('refuses list values that are empty, too long, not strings, or hold control characters', () => {
    expect(Object.keys(problemsOf({ status: ['', 'a\nb', 3, null, 'ok'] }))).toEqual(['/status/0', '/status/1', '/status/2', '/status/3']);
    expect(problemsOf({ workflow: Array.from({ length: FILTER_LIMITS.listValues + 1 }, (_, i) => `w${i}`) })).toEqual({
      '/workflow': expect.stringMatching(/1 to 50 values/),
    });
  });

  it('allows null only in assignee (unassigned)', () => {
    expect(parseCaseFilter({ assignee: [null] }).filter).toEqual({ assignee: [null] });
    expect(Object.keys(problemsOf({ status: [null] }))).toEqual(['/status/0']);
  });

  describe('data paths', () => {
    const pathProblem = (path: unknown) => problemsOf({ data: [{ path, op: 'exists' }] })['/data/0/path'];

    it.each(['a', 'company.country', 'owners.0.name', 'a-b.c_d.E9', Array.from({ length: 8 }, () => 'x').join('.'), 'x'.repeat(64)])('accepts %s', (path) => {
      expect(pathProblem(path)).toBeUndefined();
    });

    it.each([
      "a') OR 1=1 --",
      'a;DROP TABLE cases',
      "company'.country",
      'a..b',
      '.a',
      'a.',
      '',
      'a b',
      'a.*',
      'a[0]',
      '$.a',
      '{a,b}',
      'x'.repeat(65),
      Array.from({ length: 9 }, () => 'x').join('.'),
      'ünïcode',
    ])('refuses %p', (path) => {
      expect(pathProblem(path)).toMatch(/dot-separated segments/);
    });

    it.each([42, null, ['a', 'b'], { a: 1 }])('refuses the non-string path %p', (path) => {
      expect(pathProblem(path)).toMatch(/dotted path/);
    });
  });

  describe('data operators and values', () => {
    const valueProblems = (condition: object) => problemsOf({ data: [{ path: 'a', ...condition }] });

    it('eq takes one JSON scalar, null included, and needs it present', () => {
      for (const value of ['HK', 0, -1.5, true, null, '']) expect(valueProblems({ op: 'eq', value })).toEqual({});
      expect(valueProblems({ op: 'eq' })).toEqual({ '/data/0/value': expect.stringMatching(/required/) });
      expect(valueProblems({ op: 'eq', value: ['HK'] })).toEqual({ '/data/0/value': expect.stringMatching(/string, number, boolean or null/) });
      expect(valueProblems({ op: 'eq', value: { $ne: 1 } })).toEqual({ '/data/0/value': expect.stringMatching(/string, number, boolean or null/) });
    });

    it('in takes 1 to 100 scalars', () => {
      expect(valueProblems({ op: 'in', value: ['HK', 'SG'] })).toEqual({});
      expect(valueProblems({ op: 'in', value: [] })).toEqual({ '/data/0/value': expect.stringMatching(/1-100/) });
      expect(valueProblems({ op: 'in', value: 'HK' })).toEqual({ '/data/0/value': expect.stringMatching(/1-100/) });
      expect(valueProblems({ op: 'in', value: Array.from({ length: 101 }, (_, i) => i) })).toEqual({ '/data/0/value': expect.stringMatching(/1-100/) });
      expect(valueProblems({ op: 'in', value: ['HK', [1], {}] })).toEqual({
        '/data/0/value/1': expect.any(String),
        '/data/0/value/2': expect.any(String),
      });
    });

    it('exists takes no value', () => {
      expect(valueProblems({ op: 'exists' })).toEqual({});
      expect(valueProblems({ op: 'exists', value: true })).toEqual({ '/data/0/value': expect.stringMatching(/absent/) });
    });

    it('contains takes a non-empty string, a number or a boolean', () => {
      for (const value of ['acme', 7, false]) expect(valueProblems({ op: 'contains', value })).toEqual({});
      for (const value of [null, '', undefined, [1]]) expect(Object.keys(valueProblems({ op: 'contains', value }))).toEqual(['/data/0/value']);
    });

    it('refuses unknown operators, including SQL-looking ones', () => {
      for (const op of ['regex', 'EQ', '=', "eq' OR '1'='1", null]) {
        expect(valueProblems({ op, value: 1 })).toEqual({ '/data/0/op': 'must be one of eq, in, exists, contains' });
      }
    });

    it('bounds strings, and refuses NUL which PostgreSQL cannot store', () => {
      expect(valueProblems({ op: 'eq', value: 'x'.repeat(1000) })).toEqual({});
      expect(valueProblems({ op: 'eq', value: 'x'.repeat(1001) })).toEqual({ '/data/0/value': expect.stringMatching(/at most 1000/) });
      expect(valueProblems({ op: 'eq', value: 'a\u0000b' })).toEqual({ '/data/0/value': expect.stringMatching(/NUL/) });
    });

    it('bounds the number of conditions', () => {
      const conditions = Array.from({ length: FILTER_LIMITS.conditions + 1 }, () => ({ path: 'a', op: 'exists' }));
      expect(problemsOf({ data: conditions })).toEqual({ '/data': expect.stringMatching(/at most 20/) });
      expect(problemsOf({ data: conditions.slice(1) })).toEqual({});
      expect(problemsOf({ data: { path: 'a', op: 'exists' } })).toEqual({ '/data': expect.stringMatching(/array/) });
    });
  });

  it('round-trips through JSON (what the views table stores)', () => {
    const filter: CaseFilter = { status: ['open'], assignee: [null], data: [{ path: 'a.b', op: 'in', value: [1, 'x', null, false] }] };
    expect(parseCaseFilter(JSON.parse(JSON.stringify(filter)))).toEqual({ filter, problems: [] });
  });

  it('treats an own "__proto__" key as an unknown field, and builds no polluted object', () => {
    const { filter, problems } = parseCaseFilter(JSON.parse('{"__proto__": {"status": ["x"]}, "type": ["kyb"]}'));
    expect(problems).toEqual([{ path: '/__proto__', message: expect.stringMatching(/unknown field/) }]);
    expect(filter).toBeUndefined();
    expect(({} as Record<string, unknown>).status).toBeUndefined();
  });
});

describe('mergeFilters', () => {
  it('keeps what only one side says', () => {
    expect(mergeFilters({ status: ['open'] }, { type: ['kyb'] })).toEqual({ status: ['open'], type: ['kyb'] });
    expect(mergeFilters({}, {})).toEqual({});
  });

  it('intersects single-valued fields, down to an empty list that matches nothing', () => {
    expect(mergeFilters({ status: ['open', 'pending'] }, { status: ['pending', 'approved'] })).toEqual({ status: ['pending'] });
    expect(mergeFilters({ workflow: ['a'] }, { workflow: ['b'] })).toEqual({ workflow: [] });
    expect(mergeFilters({ assignee: ['alice', null] }, { assignee: [null] })).toEqual({ assignee: [null] });
  });

  it('unites tags (a case must carry all of them) and concatenates data conditions', () => {
    const a: CaseFilter = { tag: ['urgent'], data: [{ path: 'x', op: 'exists' }] };
    const b: CaseFilter = { tag: ['pep', 'urgent'], data: [{ path: 'y', op: 'eq', value: 1 }] };
    expect(mergeFilters(a, b)).toEqual({ tag: ['urgent', 'pep'], data: [{ path: 'x', op: 'exists' }, { path: 'y', op: 'eq', value: 1 }] });
  });

  it('does not modify its inputs', () => {
    const a: CaseFilter = { status: ['open'], tag: ['t'] };
    const b: CaseFilter = { status: ['open'], tag: ['u'] };
    const copy = JSON.stringify([a, b]);
    const merged = mergeFilters(a, b);
    merged.status!.push('x');
    merged.tag!.push('y');
    expect(JSON.stringify([a, b])).toBe(copy);
  });
});
