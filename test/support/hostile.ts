/**
 * Malformed and hostile GraphQL requests for the fuzz test: broken JSON, wrong types,
 * huge strings, deep nesting, alias bombs, fragment cycles, invalid variables, bad
 * tokens, oversized bodies. Seeded, so a failing run can be replayed.
 */
/** A small seeded generator (mulberry32), so a failing run can be replayed. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileRequest {
  kind: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

const VALID = [
  '{ merchant(id: "m1") { name offers(first: 3) { title remainingStock } } }',
  'query Home($city: String!) { homepage(city: $city) { city grid { title } } }',
  '{ me { id points { balance } coupons { code } } }',
  'mutation { claimCoupon(templateId: "t1", idempotencyKey: "k") { id } }',
  '{ search(query: "coffee", first: 5) { edges { node { name } } } }',
];

export function hostileRequests(count: number, seed: number, goodToken: string): HostileRequest[] {
  const rnd = random(seed);
  const pick = <T,>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const int = (max: number) => Math.floor(rnd() * max);
  const noise = (n: number) => Array.from({ length: n }, () => String.fromCharCode(int(0xffff))).join('');
  const json = (value: unknown) => JSON.stringify(value);
  // header values must be visible ASCII for the client to send them
  const ascii = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x21 + int(0x5e))).join('');
  const makers: (() => HostileRequest)[] = [
    () => ({ kind: 'broken json', body: json({ query: pick(VALID) }).slice(0, 1 + int(40)) }),
    () => ({ kind: 'random bytes', body: noise(1 + int(300)) }),
    () => ({ kind: 'wrong types', body: json(pick([{ query: 123 }, { query: null }, { query: ['{ me { id } }'] }, { query: '{ me { id } }', variables: 'x' }, { query: '{ me { id } }', operationName: 5 }, { query: {} }, [], [{ query: '{ me { id } }' }], true, 'query', null, 42, { extensions: { persistedQuery: { version: 1, sha256Hash: noise(10) } } }])) }),
    () => ({ kind: 'huge string', body: json({ query: `{ merchant(id: "${'x'.repeat(10_000 + int(90_000))}") { name } }` }) }),
    () => ({ kind: 'huge variable', body: json({ query: 'query($id: ID!) { merchant(id: $id) { name } }', variables: { id: 'é'.repeat(10_000 + int(90_000)) } }) }),
    () => ({ kind: 'deep nesting', body: json({ query: `{ ${'merchant(id: "m1") { offers { merchant { '.repeat(5 + int(60))} name ${'} } }'.repeat(5 + int(60))} }` }) }),
    () => ({ kind: 'unbalanced braces', body: json({ query: '{'.repeat(1 + int(20_000)) }) }),
    () => ({ kind: 'deep json variables', body: `{"query":"query($c: String!) { homepage(city: $c) { city } }","variables":{"c":${'['.repeat(1000 + int(50_000))}${']'.repeat(1000 + int(50_000))}}}` }),
    () => ({ kind: 'alias bomb', body: json({ query: `{ ${Array.from({ length: 10 + int(3000) }, (_, i) => `a${i}: merchant(id: "m1") { name }`).join(' ')} }` }) }),
    () => ({ kind: 'field repetition', body: json({ query: `{ merchant(id: "m1") { ${'name '.repeat(100 + int(4000))} } }` }) }),
    () => ({ kind: 'fragment cycle', body: json({ query: 'query { merchant(id: "m1") { ...A } } fragment A on Merchant { name ...B } fragment B on Merchant { city ...A }' }) }),
    () => ({ kind: 'fragment explosion', body: json({ query: `query { merchant(id: "m1") { ...F0 } } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on Merchant { name ${i < 29 ? `...F${i + 1} ...F${i + 1}` : ''} }`).join(' ')}` }) }),
    () => ({ kind: 'invalid variables', body: json({ query: 'query($n: Int!, $id: ID!) { merchant(id: $id) { offers(first: $n) { title } } }', variables: pick([{}, { n: 'ten', id: 'm1' }, { n: 2 ** 40, id: 'm1' }, { n: 1.5, id: 'm1' }, { n: 3, id: { nested: true } }, { n: -1, id: 'm1' }, { n: null, id: null }, { n: 3, id: 'm1', extra: noise(50) }]) }) }),
    () => ({ kind: 'bad token', headers: { authorization: pick([`Bearer ${ascii(30)}`, 'Bearer', 'Basic dXNlcjpwYXNz', `Bearer ${goodToken.slice(0, -3)}xyz`, `Bearer ${goodToken}.extra`, `Bearer a.b.c`, `bearer ${'A'.repeat(8000)}`]) }, body: json({ query: '{ me { id } }' }) }),
    () => ({ kind: 'oversized body', body: json({ query: `{ me { id } } # ${'x'.repeat(1024 * 1024 + int(4096))}` }) }),
    () => ({ kind: 'random query text', body: json({ query: pick(VALID).split('').map((c) => (rnd() < 0.08 ? noise(1) : c)).join('') }) }),
    () => ({ kind: 'unknown operation name', body: json({ query: pick(VALID), operationName: noise(8) }) }),
    () => ({ kind: 'scope escalation', headers: { authorization: `Bearer ${goodToken}`, 'x-plaza-gateway-token': ascii(40) }, body: json({ query: 'mutation { reviewPlacement(id: "p1", decision: APPROVE) { id } }' }) }),
    () => ({ kind: 'odd method or path', method: pick(['PUT', 'DELETE', 'PATCH', 'GET']), path: pick(['/graphql', '/graphql?query=%7B', '/graphql?query={__typename}&variables=%7B', '/nope', '/graphql/../etc/passwd']) }),
    () => ({ kind: 'wrong content type', headers: { 'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql']) }, body: pick(VALID) }),
    () => ({ kind: 'introspection abuse', body: json({ query: `{ __schema { types { fields { type { ${'ofType { '.repeat(1 + int(30))} name ${'} '.repeat(1 + int(30))} } } } } }` }) }),
    () => ({ kind: 'valid query', body: json({ query: pick(VALID), variables: { city: pick(['Shanghai', 'Hangzhou', noise(5)]) } }) }),
  ];
  // requests that reach the subgraphs or carry large payloads cost the most: one in four rounds of them
  const costly = new Set(['huge string', 'huge variable', 'fragment explosion', 'valid query', 'field repetition', 'oversized body']);
  const kinds = makers.map((make) => make().kind);
  const cheap = makers.filter((_, i) => !costly.has(kinds[i]));
  return Array.from({ length: count }, (_, i) => {
    const round = Math.floor(i / makers.length);
    const maker = makers[i % makers.length];
    if (!costly.has(kinds[i % makers.length]) || round % 4 === 0) return maker();
    return cheap[i % cheap.length]();
  });
}

export async function send(url: string, request: HostileRequest): Promise<{ status: number; text: string }> {
  const target = new URL(request.path ?? '/graphql', url);
  const method = request.method ?? 'POST';
  const res = await fetch(target, {
    method,
    headers: { 'content-type': 'application/json', ...request.headers },
    body: method === 'GET' ? undefined : request.body,
  }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
  return { status: res.status, text: await res.text() };
}

