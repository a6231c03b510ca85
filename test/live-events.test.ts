import { describe, expect, it } from 'vitest';
import type { FetchNode } from '@apollo/query-planner';
import { liveEvents } from '../gateway/engine/live.ts';
import type { Run } from '../gateway/engine/execute.ts';
import { graphql } from '../gateway/engine/graphql.ts';
import type { UpstreamSink, UpstreamSubscriptions } from '../gateway/engine/upstream.ts';

/** A subgraph's subscription stand-in: the test pushes its events. */
function fakeUpstream() {
  const state = { sink: undefined as UpstreamSink | undefined, stopped: false, variables: undefined as unknown };
  const upstream = {
    subscribe(subscription: { variables: unknown }, sink: UpstreamSink) {
      state.sink = sink;
      state.variables = subscription.variables;
      return () => void (state.stopped = true);
    },
  } as unknown as UpstreamSubscriptions;
  return { upstream, state };
}

const schema = graphql.buildSchema('type Query { ok: Boolean } type Subscription { ticks(from: Int): Int }');
const primary = { kind: 'Fetch', serviceName: 'clock', operation: 'subscription($from: Int) { ticks(from: $from) }', operationKind: 'subscription', variableUsages: ['from'] } as unknown as FetchNode;

function live(maxPending: number, upstream: UpstreamSubscriptions) {
  const run = { request: { context: {} }, variables: { from: 3, unused: true }, operation: undefined, supergraphSchema: schema, sources: new Map(), errors: [], tracing: false } as unknown as Run;
  return liveEvents({ run, primary, rest: undefined, upstream, token: () => 'token', renew: async () => {}, maxPending, respond: (eventRun, data) => ({ data, ...(eventRun.errors.length ? { errors: eventRun.errors as never } : {}) }) });
}

describe('a subscription’s events at the gateway', () => {
  it('each event of the subgraph becomes an answer, in order, with the variables its fetch uses; ending the iteration ends the subscription upstream', async () => {
    const { upstream, state } = fakeUpstream();
    const events = live(8, upstream);
    const first = events.next();
    // the subscription goes out when the events are first read
    await Promise.resolve();
    expect(state.variables).toEqual({ from: 3 });
    for (const n of [3, 4, 5]) state.sink!.next({ data: { ticks: n } });
    expect((await first).value).toEqual({ data: { ticks: 3 } });
    expect((await events.next()).value).toEqual({ data: { ticks: 4 } });
    expect((await events.next()).value).toEqual({ data: { ticks: 5 } });
    await events.return!(undefined);
    expect(state.stopped).toBe(true);
  });

  it('a client that lets more events wait than the backlog allows is dropped with SLOW_CONSUMER, and the subscription ends upstream', async () => {
    const { upstream, state } = fakeUpstream();
    const events = live(4, upstream);
    const reading = events.next();
    await Promise.resolve();
    state.sink!.next({ data: { ticks: 0 } });
    expect((await reading).value).toEqual({ data: { ticks: 0 } });
    // the client reads nothing while five more arrive
    for (let n = 1; n <= 5; n++) state.sink!.next({ data: { ticks: n } });
    const dropped = await events.next();
    expect(dropped.value?.errors?.[0].extensions?.code).toBe('SLOW_CONSUMER');
    expect(dropped.value?.data).toBeUndefined();
    expect((await events.next()).done).toBe(true);
    expect(state.stopped).toBe(true);
  });

  it('a subgraph that refuses or goes away ends the subscription with its error and code', async () => {
    const { upstream, state } = fakeUpstream();
    const events = live(4, upstream);
    const reading = events.next();
    await Promise.resolve();
    state.sink!.error([{ message: 'Sign in first', extensions: { code: 'UNAUTHENTICATED' } }]);
    const refused = (await reading).value;
    expect(refused?.errors?.[0].message).toBe('Sign in first');
    expect(refused?.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'clock' });
    expect((await events.next()).done).toBe(true);

    const second = fakeUpstream();
    const gone = live(4, second.upstream);
    const next = gone.next();
    await Promise.resolve();
    second.state.sink!.error(new Error('socket hang up'));
    expect((await next).value?.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'clock' });
  });
});
