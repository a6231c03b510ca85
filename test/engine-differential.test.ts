/**
 * Plaza's gateway over Plaza's own supergraph and subgraphs, against a plain
 * @apollo/gateway over the same subgraphs, on operations generated from the API schema
 * (test/support/query-generator.ts): nested selections across entity boundaries, aliases,
 * fragments, @skip/@include on variables and arguments that hit the seeded world, each
 * asked anonymously and signed in. Status, data, nulls and errors (message, path, code,
 * subgraph, value-completion errors) must be the same. The Federation lab's test
 * (federation-lab.test.ts) does the same over a supergraph built on Federation's hard features.
 */
import fs from 'node:fs';
import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlainGateway } from '../bench/plain-gateway.ts';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { CITIES, CATEGORIES } from '../subgraphs/kit/world.ts';
import { askBoth, inBatches, type SeenAnswer } from './support/federation-lab/answers.ts';
import { startPlaza, startPlainGatewayOver, type Plaza } from './support/plaza.ts';
import { apiSchemaOf, fallbackArgument, generateOperation, validationErrors, type ArgumentRequest, type GeneratedOperation } from './support/query-generator.ts';

/** A bulk comparison: each request is quick, but a hundred of them on a busy machine can take minutes. */
const BULK_TIMEOUT_MS = 240_000;

let plaza: Plaza;
let plain: PlainGateway;
beforeAll(async () => {
  plaza = await startPlaza();
  plain = await startPlainGatewayOver(Object.values(plaza.subgraphs));
});
afterAll(async () => {
  await plain?.stop();
  await plaza?.stop();
});

/** Arguments that hit the small seed world (subgraphs/kit/world.ts), with some misses and some out of range. */
function pickPlazaArgument(request: ArgumentRequest): unknown {
  const { field, argument, next } = request;
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const merchant = () => `m${1 + Math.floor(next() * 300)}`;
  switch (argument) {
    case 'id':
      if (field === 'merchant') return pick([merchant(), merchant(), 'm1', 'no-such-merchant']);
      if (field === 'offer') return pick([`o${1 + Math.floor(next() * 300)}-${1 + Math.floor(next() * 4)}`, 'no-such-offer']);
      return pick(['no-such-id', 'o1']);
    case 'merchantId':
      return pick([merchant(), 'no-such-merchant']);
    case 'city':
      return pick([...CITIES, 'Atlantis']);
    case 'query':
      return pick(['coffee', 'tea', 'Golden', 'Lotus', ...CATEGORIES, 'zzz']);
    case 'first':
      // 0 and 51 are out of range for offers: field errors
      return pick([1, 2, 3, 5, 0, 51]);
    case 'after':
    case 'paymentId':
      return undefined;
    default:
      return fallbackArgument(request);
  }
}

const GENERATED = 220;
const SIGNED_IN_USERS = 40;

/**
 * Fields Plaza's authorization plugin answers itself, before planning, for a caller it
 * denies (its own UNAUTHENTICATED/FORBIDDEN errors, gateway/plugins/authorization.ts),
 * where a plain gateway sends the fetch and the subgraph refuses in its own words: left
 * out for the callers they are denied to. Read from the supergraph: `Type.field`.
 */
function protectedFields(supergraphSdl: string): { authenticated: Set<string>; scoped: Set<string> } {
  const authenticated = new Set<string>();
  const scoped = new Set<string>();
  const document = parse(supergraphSdl);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || !definition.fields) continue;
    const onType = new Set(definition.directives?.map((d) => d.name.value));
    for (const field of definition.fields) {
      const on = new Set([...onType, ...(field.directives?.map((d) => d.name.value) ?? [])]);
      const coordinate = `${definition.name.value}.${field.name.value}`;
      if (on.has('requiresScopes')) scoped.add(coordinate);
      else if (on.has('authenticated')) authenticated.add(coordinate);
    }
  }
  return { authenticated, scoped };
}

describe('Plaza answers exactly as a plain Apollo gateway on generated operations', () => {
  const sdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  const schema = apiSchemaOf(sdl);
  const { authenticated, scoped } = protectedFields(sdl);
  /** `count` operations from `firstSeed` on; Plaza's default limits hold for them (depth 12, aliases 30, cost 10,000: lists at most two deep). */
  const generate = (firstSeed: number, count: number, allowed: (coordinate: string) => boolean) =>
    Array.from({ length: count }, (_, i) =>
      generateOperation({ schema, pickArgument: pickPlazaArgument, includeField: (type, field) => allowed(`${type}.${field}`), maxDepth: 5, maxListDepth: 2, maxFields: 30 }, firstSeed + i),
    );
  // anonymous callers are denied @authenticated and @requiresScopes fields; signed-in test users (no scopes) the latter
  const anonymous = generate(1, GENERATED / 2, (c) => !authenticated.has(c) && !scoped.has(c));
  const signedIn = generate(10_001, GENERATED / 2, (c) => !scoped.has(c));

  async function compareAll(operations: GeneratedOperation[], user: (index: number) => string | undefined): Promise<SeenAnswer[]> {
    return inBatches(operations, 4, async ({ query, variables, operationName }, index) => {
      const who = user(index);
      const headers: Record<string, string> = who ? { authorization: `Bearer ${await plaza.tokenFor(who)}` } : {};
      const { ours, theirs } = await askBoth({ ours: plaza.gateway.url, theirs: plain.url }, { query, variables, operationName }, headers);
      expect({ query, variables, user: who, ...ours }).toEqual({ query, variables, user: who, ...theirs });
      return ours;
    });
  }

  it('every generated operation is valid against the API schema', () => {
    const all = [...anonymous, ...signedIn];
    expect(all.length).toBeGreaterThanOrEqual(200);
    for (const { query } of all) expect(validationErrors(schema, query)).toEqual([]);
    // they use everything the generator offers, across entity boundaries
    const text = all.map((o) => o.query).join('\n');
    for (const feature of [/\bfragment F\d+ on \w+/, /\.\.\.F\d+/, /\.\.\. on \w+/, /@include\(if: \$c\d+\)/, /@skip\(if: \$c\d+\)/, /\$c\d+: Boolean = /, /\ba\d+: /, /\$v\d+: /]) {
      expect(text).toMatch(feature);
    }
    // Placement → MerchantService (merchants) → Merchant → offers (coupons), for one
    expect(text).toMatch(/service \{[^}]*merchant \{/);
    expect(signedIn.some((o) => /\bme\b[^{]*\{/.test(o.query))).toBe(true);
  });

  it(`${GENERATED / 2} generated operations, anonymous`, async () => {
    const answers = await compareAll(anonymous, () => undefined);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(GENERATED / 2 - 5);
    expect(answers.filter((a) => a.errors).length).toBeGreaterThan(5);
    expect(answers.filter((a) => !a.errors).length).toBeGreaterThan(GENERATED / 8);
  }, BULK_TIMEOUT_MS);

  it(`${GENERATED / 2} generated operations, signed in as ${SIGNED_IN_USERS} different users`, async () => {
    const answers = await compareAll(signedIn, (index) => `u${1 + (index % SIGNED_IN_USERS)}`);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(GENERATED / 2 - 5);
    expect(answers.filter((a) => !a.errors).length).toBeGreaterThan(GENERATED / 8);
    // signed in, `me` is somebody
    expect(answers.some((a) => (a.data as { me?: unknown } | null)?.me)).toBe(true);
  }, BULK_TIMEOUT_MS);
});
