import { decodeCursor, encodeCursor, parseSearch } from './case-list-query.util';

const id = '3f2b8c1e-9a4d-4e7f-8b21-0c5d6e7f8a9b';

describe('cursor', () => {
  it('round-trips, keeping microseconds', () => {
    const cursor = { createdAt: '2025-11-23T07:30:00.123456Z', id };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', encode('{nope')],
    ['an array', encode([1, 2])],
    ['a missing id', encode({ createdAt: '2025-11-23T07:30:00Z' })],
    ['a bad id', encode({ createdAt: '2025-11-23T07:30:00Z', id: "1' OR '1'='1" })],
    ['a local time', encode({ createdAt: '2025-11-23T07:30:00', id })],
    ['SQL in the time', encode({ createdAt: "2025-11-23T07:30:00Z'); DROP TABLE cases; --", id })],
    ['an impossible date', encode({ createdAt: '2025-13-45T07:30:00Z', id })],
    ['nanoseconds', encode({ createdAt: '2025-11-23T07:30:00.1234567Z', id })],
    ['an extra field', encode({ createdAt: '2025-11-23T07:30:00Z', id, offset: 5 })],
    ['too long', 'a'.repeat(201)],
    ['empty', ''],
  ])('refuses %s', (_what, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});

describe('parseSearch', () => {
  it('makes every word a prefix and ANDs them', () => {
    expect(parseSearch('  Ada  lovel ')).toEqual({ search: { kind: 'words', words: ['Ada', 'lovel'], tsquery: 'Ada:* & lovel:*' } });
  });

  it('splits on anything but letters and digits, so no tsquery syntax gets through', () => {
    expect(parseSearch("a:* | !b & (c) <-> 'd'").search).toEqual({ kind: 'words', words: ['a', 'b', 'c', 'd'], tsquery: 'a:* & b:* & c:* & d:*' });
    expect(parseSearch('ACME, Ltd. (HK)').search).toMatchObject({ words: ['ACME', 'Ltd', 'HK'] });
  });

  it('keeps "-", ".", "@" and "_" inside a word, so identifiers are searched as the index holds them', () => {
    expect(parseSearch('RN-500000 ada@example.com 1200.5 a_b').search).toMatchObject({
      words: ['RN-500000', 'ada@example.com', '1200.5', 'a_b'],
      tsquery: 'RN-500000:* & ada@example.com:* & 1200.5:* & a_b:*',
    });
    expect(parseSearch('-x- .y. @z@ --').search).toMatchObject({ words: ['x', 'y', 'z'] });
    expect(parseSearch('a--b a.-b').search).toMatchObject({ words: ['a', 'b'] });
  });

  it('keeps letters of any script', () => {
    expect(parseSearch('香港 Zürich').search).toMatchObject({ words: ['香港', 'Zürich'] });
  });

  it('finds a case by id when q is a uuid', () => {
    expect(parseSearch(` ${id.toUpperCase()} `)).toEqual({ search: { kind: 'id', id } });
  });

  it('searches nothing for a blank q', () => {
    expect(parseSearch('')).toEqual({});
    expect(parseSearch('   ')).toEqual({});
  });

  it('refuses a q with no words, more than 8 words, or over 200 characters', () => {
    expect(parseSearch('*** !!').problem).toMatch(/no letters or digits/);
    expect(parseSearch('a b c d e f g h i').problem).toMatch(/at most 8 words/);
    expect(parseSearch('a b c d e f g h a').problem).toBeUndefined();
    expect(parseSearch('x'.repeat(201)).problem).toMatch(/200 characters/);
  });
});
