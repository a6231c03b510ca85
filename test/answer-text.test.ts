/**
 * The answer the engine writes as text: byte for byte the gateway's own answer, and a
 * one-byte V8 string when its data is Latin-1 (field names, `__typename`s and enum values
 * written from one-byte copies, whatever copies of the names V8 interned first). A
 * two-byte answer costs twice the memory and a conversion on every write to the socket.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { PlazaEngine } from '../gateway/engine/index.ts';
import { SubgraphSource } from '../gateway/engine/subgraph-source.ts';
import { stringifyResult, WrittenData } from '../gateway/engine/answer-text.ts';
import { UNKNOWN_CLIENT, type GatewayContext } from '../gateway/context.ts';
import { ANONYMOUS, signInternalToken } from '../platform/internal-token.ts';
import { SUPERGRAPH_PATH } from '../schema/compose.ts';
import { startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

/** Whether V8 holds `text` one byte per character: v8.serialize tags a one-byte string 0x22 ('"'), a two-byte one 0x63 ('c'), after its header and any padding. */
function isOneByte(text: string): boolean {
  const bytes = v8.serialize(text);
  let at = 2; // version header
  while (bytes[at] === 0x00) at++;
  if (bytes[at] !== 0x22 && bytes[at] !== 0x63) throw new Error(`unexpected v8.serialize tag ${bytes[at]}`);
  return bytes[at] === 0x22;
}

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
/** Names, typenames, enums, ids and numbers from every subgraph: Latin-1 data. */
const ASCII_FEED = `query AsciiFeed($city: String!) {
  homepage(city: $city) { city grid { __typename id slot kind: __typename service { id __typename merchant { id __typename category popularity offers(first: 3) { id channel remainingStock } } } } cards { id slot } }
  merchant(id: "m1") { id __typename offers(first: 10) { id channel minSpend remainingStock } }
}`;

let plaza: Plaza;
let engine: PlazaEngine;
let execute: (request: GatewayGraphQLRequestContext<GatewayContext>) => Promise<unknown>;

beforeAll(async () => {
  plaza = await startPlaza();
  const urls = Object.fromEntries(Object.values(plaza.subgraphs).map((sg) => [sg.name, sg.url]));
  engine = new PlazaEngine({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    planCacheBytes: 8 * 1024 * 1024,
    source: ({ name }) => new SubgraphSource({ name, url: urls[name] }),
  });
  const loaded = await engine.load();
  execute = loaded.executor as never;
});
afterAll(async () => {
  await engine?.stop();
  await plaza?.stop();
});

/** The text the engine's answer is written as, the way Apollo Server hands it to Plaza's server. */
async function engineText(query: string, variables: Record<string, unknown>): Promise<string> {
  const context: GatewayContext = { viewer: ANONYMOUS, client: UNKNOWN_CLIENT, incremental: {}, internalToken: signInternalToken(ANONYMOUS, TEST_INTERNAL_SECRET) };
  const request = {
    request: { query, variables, http: { headers: new Map<string, string>(), method: 'POST' } },
    document: parse(query),
    queryHash: createHash('sha256').update(query).digest('hex'),
    context,
  } as unknown as GatewayGraphQLRequestContext<GatewayContext>;
  const result = (await execute(request)) as { data?: unknown; errors?: unknown };
  // the engine wrote the data as text: nothing stringifies a second tree
  expect(result.data).toBeInstanceOf(WrittenData);
  return stringifyResult({ data: result.data as never });
}

/** The gateway's answer as sent. */
async function gatewayText(query: string, variables: Record<string, unknown>): Promise<string> {
  const response = await fetch(plaza.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  expect(response.status).toBe(200);
  return response.text();
}

describe('the answer as text', () => {
  it('is one-byte for Latin-1 data, and is exactly what the gateway sends', async () => {
    const variables = { city: 'Shanghai' };
    const text = await engineText(ASCII_FEED, variables);
    expect(text).toBe(await gatewayText(ASCII_FEED, variables));
    const answer = JSON.parse(text);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.homepage.grid.length).toBeGreaterThan(0);
    expect(answer.data.homepage.grid[0].__typename).toBe('Placement');
    expect(text.length).toBeGreaterThan(2000);
    expect(/^[\x00-\xff]*$/.test(text)).toBe(true);
    expect(isOneByte(text)).toBe(true);
  });

  it('is two-byte only when the data itself holds a character beyond Latin-1 (the headline query)', async () => {
    const variables = { city: 'Shanghai', merchantId: 'm1' };
    const text = await engineText(HOME, variables);
    expect(text).toBe(await gatewayText(HOME, variables));
    expect(JSON.parse(text).data.homepage.grid.length).toBe(9);
    expect(isOneByte(text)).toBe(/^[\x00-\xff]*$/.test(text));
  });

  it('knows a two-byte string when it sees one (so the checks above can fail)', () => {
    expect(isOneByte('{"data":{"a":"b"}}')).toBe(true);
    expect(isOneByte('{"data":{"a":"\u2026"}}')).toBe(false);
  });
});
