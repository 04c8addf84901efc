import { hasTemplate, renderParams, renderTemplates, resolvePath, templatePaths } from './template.util';

describe('renderTemplates', () => {
  const scope = {
    case: {
      id: 'c1',
      data: {
        company: { number: '12345', name: 'Acme' },
        riskScore: 85,
        ubos: [{ name: 'Ada' }, { name: 'Bob' }],
        flag: false,
      },
    },
    steps: { registry: { output: { status: 'active', officers: 3 } } },
    env: { REGISTRY_URL: 'https://registry.example' },
    vars: { zero: 0, nothing: null },
  };

  it('gives a string that is exactly one template the value itself', () => {
    expect(renderTemplates('{{ steps.registry.output }}', scope)).toEqual({ status: 'active', officers: 3 });
    expect(renderTemplates('{{case.data.riskScore}}', scope)).toBe(85);
    expect(renderTemplates('  {{ case.data.flag }} ', scope)).toBe(false);
    expect(renderTemplates('{{ vars.zero }}', scope)).toBe(0);
    expect(renderTemplates('{{ vars.nothing }}', scope)).toBeNull();
  });

  it('turns templates inside longer text into text', () => {
    expect(renderTemplates('{{ env.REGISTRY_URL }}/companies/{{ case.data.company.number }}', scope)).toBe(
      'https://registry.example/companies/12345',
    );
    expect(renderTemplates('score={{ case.data.riskScore }} flag={{ case.data.flag }}', scope)).toBe(
      'score=85 flag=false',
    );
    expect(renderTemplates('company: {{ case.data.company }}', scope)).toBe(
      'company: {"number":"12345","name":"Acme"}',
    );
    expect(renderTemplates('{{ case.id }}{{ case.id }}', scope)).toBe('c1c1');
  });

  it('reads array items by index', () => {
    expect(renderTemplates('{{ case.data.ubos.1.name }}', scope)).toBe('Bob');
    expect(renderTemplates('first: {{ case.data.ubos.0.name }}', scope)).toBe('first: Ada');
  });

  it('renders missing values as undefined, or as empty text inside text', () => {
    expect(renderTemplates('{{ case.data.nope.deeper }}', scope)).toBeUndefined();
    expect(renderTemplates('{{ steps.unknown.output }}', scope)).toBeUndefined();
    expect(renderTemplates('[{{ case.data.nope }}|{{ vars.nothing }}]', scope)).toBe('[|]');
  });

  it('does not reach into inherited properties', () => {
    expect(renderTemplates('{{ case.constructor }}', scope)).toBeUndefined();
    expect(renderTemplates('{{ case.__proto__ }}', scope)).toBeUndefined();
    expect(renderTemplates('{{ case.data.company.toString }}', scope)).toBeUndefined();
  });

  it("reads an array's length, which is its own property", () => {
    expect(renderTemplates('{{ case.data.ubos.length }}', scope)).toBe(2);
  });

  it('walks objects and arrays and leaves other values alone', () => {
    const params = {
      url: '{{ env.REGISTRY_URL }}/x',
      body: { company: '{{ case.data.company }}', names: ['{{ case.data.ubos.0.name }}', 'literal', 7, null, true] },
      timeoutMs: 1000,
    };
    expect(renderTemplates(params, scope)).toEqual({
      url: 'https://registry.example/x',
      body: { company: { number: '12345', name: 'Acme' }, names: ['Ada', 'literal', 7, null, true] },
      timeoutMs: 1000,
    });
    expect(params.body.company).toBe('{{ case.data.company }}'); // input untouched
  });

  it('keeps a __proto__ key as data', () => {
    const rendered = renderTemplates(JSON.parse('{"__proto__": {"polluted": "{{ case.id }}"}}'), scope) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.hasOwn(rendered, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves a malformed template path unresolved', () => {
    expect(renderTemplates('{{ case..id }}', scope)).toBeUndefined();
    expect(renderTemplates('{{ }}', scope)).toBeUndefined();
  });

  it('renders params, treating absent params as {}', () => {
    expect(renderParams(undefined, scope)).toEqual({});
    expect(renderParams({ id: '{{ case.id }}' }, scope)).toEqual({ id: 'c1' });
  });
});

describe('templatePaths', () => {
  it('lists every template with the JSON pointer of its string', () => {
    expect(
      templatePaths({
        url: '{{ env.A }}/x/{{ case.id }}',
        body: { 'a/b': ['plain', '{{ steps.s.output }}'], 'c~d': '{{vars.v}}' },
        n: 3,
      }),
    ).toEqual([
      { pointer: '/url', path: 'env.A' },
      { pointer: '/url', path: 'case.id' },
      { pointer: '/body/a~1b/1', path: 'steps.s.output' },
      { pointer: '/body/c~0d', path: 'vars.v' },
    ]);
  });

  it('gives the empty pointer for a bare string and nothing for no templates', () => {
    expect(templatePaths('{{ a.b }}')).toEqual([{ pointer: '', path: 'a.b' }]);
    expect(templatePaths({ a: 'no { templates } here', b: [1, null] })).toEqual([]);
  });
});

describe('resolvePath / hasTemplate', () => {
  it('resolves dotted paths over own properties', () => {
    expect(resolvePath({ a: { b: [10, 20] } }, 'a.b.1')).toBe(20);
    expect(resolvePath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(resolvePath(null, 'a')).toBeUndefined();
  });

  it('detects templates', () => {
    expect(hasTemplate('x {{ a }} y')).toBe(true);
    expect(hasTemplate('{ a }')).toBe(false);
  });
});
