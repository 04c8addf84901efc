import fc from 'fast-check';
import { escapeLiteral } from 'pg';
import { jsonbLiteral, quoteLiteral, uuidArrayLiteral } from './sql-script.util';

describe('quoteLiteral', () => {
  it("gives exactly pg's escapeLiteral text for any string", () => {
    const tricky = fc.constantFrom("'", '\\', "\\'", "''", '\u0000', '$$', ';', 'E', '\n');
    const text = fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tricky)).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (value) => quoteLiteral(value) === escapeLiteral(value)), { numRuns: 2000 });
  });

  it('keeps quotes and backslashes as data', () => {
    expect(quoteLiteral(`it's`)).toBe(`'it''s'`);
    expect(quoteLiteral('a\\b')).toBe(` E'a\\\\b'`);
    expect(jsonbLiteral({ note: "x'); DROP TABLE cases; --" })).toBe(`'{"note":"x''); DROP TABLE cases; --"}'::jsonb`);
  });
});

describe('uuidArrayLiteral', () => {
  it('is a constant array the planner can count', () => {
    expect(uuidArrayLiteral(['6f1c2f0e-4b7a-4d51-9a3e-1f2d3c4b5a69', '00000000-0000-4000-8000-000000000000'])).toBe(
      `'{6f1c2f0e-4b7a-4d51-9a3e-1f2d3c4b5a69,00000000-0000-4000-8000-000000000000}'::uuid[]`,
    );
    expect(uuidArrayLiteral([])).toBe(`'{}'::uuid[]`);
  });

  it('refuses anything that is not a uuid, rather than quote it', () => {
    expect(() => uuidArrayLiteral(['6f1c2f0e-4b7a-4d51-9a3e-1f2d3c4b5a69', "x'}'::uuid[]; --"])).toThrow(TypeError);
  });
});
