/**
 * What a gateway adds to a request's latency when nothing else is running: the headline
 * query sent one request at a time, against the very subgraph fetches that query needs,
 * sent straight to the subgraphs in the plan's order (a Sequence one after another, a
 * Parallel at once) by the same client. The two are interleaved request by request, so both
 * see the same machine; overhead = gateway p50 − direct p50. The slowest single fetch is
 * measured too (the floor a one-fetch query would have).
 *
 * Every target is warmed up first, a few requests at a time, until its JIT has compiled the
 * request path: a Node gateway's first thousand or so requests still run partly unoptimized
 * code (Plaza's own time per request falls by about a third between its 500th and its
 * 3,000th request), and a figure taken then would measure start-up, not what the gateway
 * adds to a request.
 */
import { operationFromDocument } from '@apollo/federation-internals';
import type { PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { Agent } from 'undici';
import { loadSupergraph } from '../gateway/engine/supergraph.ts';

/** A fetch a gateway made, as recorded (its subgraph, URL and body). */
export interface RecordedFetch {
  subgraph: string;
  userId?: string;
  url: string;
  body: { query: string; variables?: Record<string, unknown> };
}

export interface OverheadTarget {
  name: string;
  url: string;
}

export interface OverheadOptions {
  supergraphSdl: string;
  query: string;
  operationName: string;
  /** The request every gateway answers (body and headers). */
  body: string;
  headers: Record<string, string>;
  fetches: readonly RecordedFetch[];
  /** Headers of a direct subgraph fetch (the internal token of the fetch's caller). */
  fetchHeaders(fetch: RecordedFetch): Promise<Record<string, string>>;
  gateways: readonly OverheadTarget[];
  /** Requests measured per target, after as many again of interleaved warm-up. */
  requests?: number;
  /** Requests each target gets before that, `WARMUP_CONCURRENCY` at a time (default 3,000). */
  warmup?: number;
}

export interface OverheadRow {
  target: string;
  p50: number;
  p90: number;
  /** p50 − the direct fetches' p50. */
  overhead?: number;
  /**
   * The same overhead from pairs: each request against the direct run of the same turn (same
   * moment of the machine), the median of those differences and their p25–p75. Two p50s of
   * some 20 ms apiece, taken 300 samples at a time, move by a millisecond or more from run to
   * run; the pairs show how precisely the overhead is known.
   */
  paired?: { p25: number; p50: number; p75: number };
}

export interface OverheadResult {
  requests: number;
  warmup: number;
  /** Fetches per request, and how many the longest chain of the plan waits for one after another. */
  fetches: number;
  depth: number;
  rows: OverheadRow[];
}

/** Warm-up requests in flight at once per target: the JIT counts calls, not seconds, so the warm-up need not wait for each answer. */
const WARMUP_CONCURRENCY = 4;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** The plan's fetches as the direct client runs them: returns a function that sends them all, in the plan's order. */
function directRun(node: PlanNode | undefined, take: (subgraph: string, query: string) => () => Promise<void>): { run(): Promise<void>; depth: number } {
  if (!node) return { run: async () => undefined, depth: 0 };
  switch (node.kind) {
    case 'Fetch':
      return { run: take(node.serviceName, node.operation), depth: 1 };
    case 'Flatten':
      return directRun(node.node, take);
    case 'Sequence': {
      const steps = node.nodes.map((child) => directRun(child, take));
      return {
        run: async () => {
          for (const step of steps) await step.run();
        },
        depth: steps.reduce((sum, s) => sum + s.depth, 0),
      };
    }
    case 'Parallel': {
      const branches = node.nodes.map((child) => directRun(child, take));
      return { run: async () => void (await Promise.all(branches.map((b) => b.run()))), depth: Math.max(0, ...branches.map((b) => b.depth)) };
    }
    default:
      throw new Error(`the overhead measurement takes plans of Fetch, Flatten, Sequence and Parallel nodes, not ${node.kind}`);
  }
}

export async function unloadedOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const requests = options.requests ?? 300;
  const warmup = options.warmup ?? 3000;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  const post = async (url: string, body: string, headers: Record<string, string>) => {
    const res = await agent.request({ origin: new URL(url).origin, path: new URL(url).pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(`${url} answered ${res.statusCode}: ${text.slice(0, 200)}`);
  };
  try {
    const loaded = loadSupergraph(options.supergraphSdl);
    const plan = loaded.planner.buildQueryPlan(operationFromDocument(loaded.apiSchema, parse(options.query), { operationName: options.operationName }));
    // each Fetch node of the plan is one of the recorded fetches (same subgraph, same operation text), taken in order
    const unused = [...options.fetches];
    const sends: (() => Promise<void>)[] = [];
    const direct = directRun(plan.node as PlanNode | undefined, (subgraph, query) => {
      const index = unused.findIndex((f) => f.subgraph === subgraph && f.body.query === query);
      // a fetch with no entities to fetch is not sent by a gateway either
      if (index < 0) return async () => undefined;
      const [fetch] = unused.splice(index, 1);
      const body = JSON.stringify(fetch.body);
      let headers: Record<string, string> = {};
      sends.push(async () => void (headers = await options.fetchHeaders(fetch)));
      return () => post(fetch.url, body, headers);
    });
    const refresh = () => Promise.all(sends.map((s) => s()));
    const timed = async (action: () => Promise<void>) => {
      const started = performance.now();
      await action();
      return performance.now() - started;
    };
    const targets = [
      ...options.gateways.map((g) => ({ name: g.name, action: () => post(g.url, options.body, options.headers) })),
      { name: 'subgraph fetches called directly, in the plan’s order', action: () => direct.run() },
    ];
    await refresh();
    for (const target of targets) {
      let sent = 0;
      await Promise.all(
        Array.from({ length: WARMUP_CONCURRENCY }, async () => {
          while (sent < warmup) {
            // the direct fetches' internal tokens renewed now and then (they expire)
            if (target === targets.at(-1) && sent % 200 === 0) await refresh();
            sent++;
            await target.action();
          }
        }),
      );
    }
    const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let i = 0; i < 2 * requests; i++) {
      // interleaved: every target sees the same moments of the machine
      for (const target of targets) {
        // a fresh internal token for every direct request, as a gateway signs one per request (not timed)
        if (target === targets.at(-1)) await refresh();
        const ms = await timed(target.action);
        if (i >= requests) samples.get(target.name)!.push(ms);
      }
    }
    const directTarget = targets.at(-1)!;
    const directSamples = samples.get(directTarget.name)!;
    const directP50 = percentile(directSamples, 50);
    const rows = targets.map((t): OverheadRow => {
      const values = samples.get(t.name)!;
      const row = { target: t.name, p50: percentile(values, 50), p90: percentile(values, 90) };
      if (t === directTarget) return row;
      const differences = values.map((ms, i) => ms - directSamples[i]);
      return { ...row, overhead: row.p50 - directP50, paired: { p25: percentile(differences, 25), p50: percentile(differences, 50), p75: percentile(differences, 75) } };
    });
    return { requests, warmup, fetches: options.fetches.length, depth: direct.depth, rows };
  } finally {
    await agent.close();
  }
}

export function overheadReport(result: OverheadResult, title: string): string {
  const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
  return [
    `## Unloaded latency: ${title}`,
    '',
    `Every row warmed up by ${result.warmup} requests (${WARMUP_CONCURRENCY} at a time), then one request at a time: ${result.requests} measured per row after as many`,
    `again, the rows interleaved request by request. The direct row sends the query's ${result.fetches} subgraph fetches straight to the subgraphs`,
    `in the plan's order (${result.depth} one after another on its longest chain), from the same client; overhead: a gateway's p50 minus the direct p50`,
    "(Plaza's target: at most 2 ms). Paired: each gateway request minus the direct run of the same turn, the median of those",
    'differences and their p25–p75 (how precisely the overhead is known).',
    '',
    '| target | p50 ms | p90 ms | overhead ms | paired overhead ms (p25–p75) |',
    '|---|--:|--:|--:|--:|',
    ...result.rows.map((r) => `| ${r.target} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.overhead)} | ${r.paired ? `${fmt(r.paired.p50)} (${fmt(r.paired.p25)}–${fmt(r.paired.p75)})` : '—'} |`),
  ].join('\n');
}
