import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { sample } from './support/load.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');
const HOME_VARIABLES = { city: 'Shanghai', merchantId: 'm1' };

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(async () => {
  await plaza?.stop();
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  return res.text();
}

const gatewayMetrics = () => scrape(plaza.gateway.url.replace('/graphql', '/metrics'));

describe('Prometheus metrics', () => {
  it('the gateway counts requests by operation, client and outcome, with latency and subgraph fetches', async () => {
    const before = await gatewayMetrics();
    const { status, body } = await plaza.query(HOME, HOME_VARIABLES, { user: 'u1', headers: { 'apollographql-client-name': 'homepage-web' } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const after = await gatewayMetrics();

    const requests = (text: string) => sample(text, 'plaza_gateway_requests_total', { operation: 'Home', outcome: 'ok' });
    expect(requests(after) - requests(before)).toBe(1);
    const latency = (text: string) => sample(text, 'plaza_gateway_request_duration_seconds_count', { operation: 'Home' });
    expect(latency(after) - latency(before)).toBe(1);
    for (const subgraph of SUBGRAPH_NAMES) {
      const fetches = (text: string) => sample(text, 'plaza_subgraph_fetch_duration_seconds_count', { subgraph, outcome: 'ok' });
      expect(fetches(after) - fetches(before), subgraph).toBeGreaterThanOrEqual(1);
    }
    expect(after).toContain('plaza_subgraph_fetch_errors_total');
    expect(after).toContain('process_cpu_seconds_total');
  });

  it('the query-plan cache reports a miss for a new operation and hits when it repeats', async () => {
    const query = 'query PlanCacheProbe { merchant(id: "m3") { name } }';
    const hits = (text: string) => sample(text, 'plaza_cache_lookups_total', { cache: 'query_plan', outcome: 'hit' });
    const misses = (text: string) => sample(text, 'plaza_cache_lookups_total', { cache: 'query_plan', outcome: 'miss' });
    const t0 = await gatewayMetrics();
    await plaza.query(query);
    const t1 = await gatewayMetrics();
    await plaza.query(query);
    const t2 = await gatewayMetrics();
    expect(misses(t1) - misses(t0)).toBe(1);
    expect(hits(t2) - hits(t1)).toBe(1);
  });

  it('errors are counted by code, and a failed request by its outcome', async () => {
    const errors = (text: string) => sample(text, 'plaza_gateway_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' });
    const before = await gatewayMetrics();
    const { status } = await plaza.query('query Broken { noSuchField }');
    expect(status).toBe(400);
    const after = await gatewayMetrics();
    expect(errors(after) - errors(before)).toBe(1);
    expect(sample(after, 'plaza_gateway_requests_total', { outcome: 'refused' })).toBeGreaterThan(sample(before, 'plaza_gateway_requests_total', { outcome: 'refused' }));
  });

  it('unknown operation names fold into one "other" label, so label cardinality stays bounded', async () => {
    for (let i = 0; i < 70; i++) await plaza.query(`query Flood${i} { __typename }`);
    const text = await gatewayMetrics();
    const labels = new Set(
      text
        .split('\n')
        .filter((line) => line.startsWith('plaza_gateway_requests_total{'))
        .map((line) => /operation="([^"]*)"/.exec(line)![1]),
    );
    expect([...labels].filter((name) => name.startsWith('Flood')).length).toBeLessThanOrEqual(50);
    expect(labels.has('other')).toBe(true);
    expect(sample(text, 'plaza_gateway_requests_total', { operation: 'other' })).toBeGreaterThanOrEqual(20);
  });

  it('every subgraph serves its own metrics: requests, latency and SQL statements per request', async () => {
    const scrapeAll = () => Promise.all(SUBGRAPH_NAMES.map((name) => scrape(plaza.subgraphs[name].url.replace('/graphql', '/metrics'))));
    const before = await scrapeAll();
    await plaza.query(HOME, HOME_VARIABLES, { user: 'u1' });
    const after = await scrapeAll();
    SUBGRAPH_NAMES.forEach((name, i) => {
      const served = (text: string) => sample(text, 'plaza_subgraph_requests_total', { service: `subgraph-${name}` });
      expect(served(after[i]) - served(before[i]), name).toBeGreaterThanOrEqual(1);
      expect(after[i], name).toContain('plaza_subgraph_request_duration_seconds_bucket');
    });
    const statements = (texts: string[]) => texts.reduce((sum, text) => sum + sample(text, 'plaza_subgraph_sql_statements_per_request_sum'), 0);
    expect(statements(after) - statements(before)).toBeGreaterThan(0);
  });
});
