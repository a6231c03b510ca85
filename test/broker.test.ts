/**
 * The event broker: in-process, and on the real Redis at 127.0.0.1:6379 (required: a missing
 * Redis fails these tests, it never skips them). Each run uses a channel prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker, type BrokerMessage } from '../platform/broker.ts';
import { reachable, REDIS } from './support/services.ts';

/** The next message `broker` delivers on `topic` (the listener stops after it). */
async function nextMessage(broker: Broker, topic: string): Promise<{ message: Promise<BrokerMessage>; ready: Promise<void> }> {
  let resolve!: (message: BrokerMessage) => void;
  const message = new Promise<BrokerMessage>((r) => (resolve = r));
  const unsubscribe = broker.subscribe(topic, (m) => {
    unsubscribe();
    resolve(m);
  });
  return { message, ready: unsubscribe.ready };
}

/** A metric's value in a registry (summed over its labels matching `labels`). */
async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('in-process broker', () => {
  it('delivers a published message to the listeners of its topic only', async () => {
    const broker = createBroker();
    const wanted = await nextMessage(broker, 'test.family:a');
    const other: BrokerMessage[] = [];
    const stopOther = broker.subscribe('test.family:b', (m) => other.push(m));
    await broker.publish('test.family:a', { userId: 'a', at: 1 });
    expect(await wanted.message).toEqual({ userId: 'a', at: 1 });
    // b's listener hears b's message, and nothing of a's before it
    const forB = await nextMessage(broker, 'test.family:b');
    await broker.publish('test.family:b', { userId: 'b', at: 2 });
    expect(await forB.message).toEqual({ userId: 'b', at: 2 });
    expect(other).toEqual([{ userId: 'b', at: 2 }]);
    stopOther();
    await broker.close();
  });

  it('stops delivering once unsubscribed, and forgets the topic after its last listener', async () => {
    const registry = new Registry();
    const broker = createBroker({ registry });
    const heard: BrokerMessage[] = [];
    const stop = broker.subscribe('test.family:c', (m) => heard.push(m));
    expect(await metricValue(registry, 'plaza_events_active_topics')).toBe(1);
    stop();
    expect(await metricValue(registry, 'plaza_events_active_topics')).toBe(0);
    // a listener subscribed after the first stopped: its message arrives, the stopped one hears nothing
    const later = await nextMessage(broker, 'test.family:c');
    await broker.publish('test.family:c', { at: 3 });
    expect(await later.message).toEqual({ at: 3 });
    expect(heard).toEqual([]);
    await broker.close();
  });

  it('counts a malformed message and drops it, without throwing', async () => {
    const registry = new Registry();
    const broker = createBroker({ registry });
    const heard: BrokerMessage[] = [];
    broker.subscribe('test.family:d', (m) => heard.push(m));
    await expect(broker.publish('test.family:d', { no: 'at' })).resolves.toBeUndefined();
    await expect(broker.publish('test.family:d', ['not', 'an', 'object'])).resolves.toBeUndefined();
    expect(await metricValue(registry, 'plaza_events_dropped_total', { reason: 'malformed' })).toBe(2);
    const good = await nextMessage(broker, 'test.family:d');
    await broker.publish('test.family:d', { at: 4 });
    expect(await good.message).toEqual({ at: 4 });
    expect(heard).toEqual([{ at: 4 }]);
    expect(await metricValue(registry, 'plaza_events_published_total', { family: 'test.family' })).toBe(1);
    expect(await metricValue(registry, 'plaza_events_received_total', { family: 'test.family' })).toBe(1);
    await broker.close();
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const registry = new Registry();
    const errors: string[] = [];
    const broker = createBroker({ registry, onError: (_error, what) => errors.push(what) });
    broker.subscribe('test.family:e', () => {
      throw new Error('listener bug');
    });
    const second = await nextMessage(broker, 'test.family:e');
    await broker.publish('test.family:e', { at: 5 });
    expect(await second.message).toEqual({ at: 5 });
    expect(errors).toEqual(['a listener of test.family:e failed']);
    expect(await metricValue(registry, 'plaza_events_dropped_total', { reason: 'listener_error' })).toBe(1);
    await broker.close();
  });
});

describe('Redis broker', () => {
  const prefix = `plaza:test:${randomBytes(4).toString('hex')}:`;
  const registries = [new Registry(), new Registry()];
  let brokers: Broker[];

  beforeAll(async () => {
    // a missing Redis fails loudly here, on a developer machine as in CI
    if (!(await reachable(REDIS.host, REDIS.port))) throw new Error(`Redis is not reachable at ${REDIS.host}:${REDIS.port}; the broker tests need it`);
    brokers = registries.map((registry) => createBroker({ redisUrl: REDIS.url, prefix, registry }));
  });
  afterAll(async () => {
    await Promise.all(brokers?.map((broker) => broker.close()) ?? []);
  });

  it('two brokers on one Redis hear each other', async () => {
    const [one, two] = brokers;
    const onTwo = await nextMessage(two, 'test.family:x');
    const onOne = await nextMessage(one, 'test.family:y');
    await Promise.all([onTwo.ready, onOne.ready]);
    await one.publish('test.family:x', { userId: 'x', at: 10 });
    await two.publish('test.family:y', { userId: 'y', at: 11 });
    expect(await onTwo.message).toEqual({ userId: 'x', at: 10 });
    expect(await onOne.message).toEqual({ userId: 'y', at: 11 });
    expect(await metricValue(registries[0], 'plaza_events_published_total')).toBe(1);
    expect(await metricValue(registries[1], 'plaza_events_received_total')).toBe(1);
  });

  it('a publisher that listens too hears its own message, like every other replica', async () => {
    const [one, two] = brokers;
    const onOne = await nextMessage(one, 'test.family:z');
    const onTwo = await nextMessage(two, 'test.family:z');
    await Promise.all([onOne.ready, onTwo.ready]);
    await one.publish('test.family:z', { at: 12 });
    expect(await onOne.message).toEqual({ at: 12 });
    expect(await onTwo.message).toEqual({ at: 12 });
  });

  it('stops delivering once unsubscribed, and unsubscribes the channel after its last listener', async () => {
    const [one, two] = brokers;
    const heard: BrokerMessage[] = [];
    const stop = two.subscribe('test.family:u', (m) => heard.push(m));
    await stop.ready;
    stop();
    // a channel nobody listens to any more is gone from Redis's subscriptions
    const inspector = new Redis(REDIS.url);
    try {
      const channels = async () => (await inspector.pubsub('CHANNELS', `${prefix}test.family:u`)) as string[];
      const deadline = Date.now() + 5000;
      while ((await channels()).length && Date.now() < deadline);
      expect(await channels()).toEqual([]);
    } finally {
      inspector.disconnect();
    }
    const later = await nextMessage(two, 'test.family:u2');
    await later.ready;
    await one.publish('test.family:u', { at: 13 });
    await one.publish('test.family:u2', { at: 14 });
    // Redis keeps one connection's order: u2's message comes after u's, which nobody heard
    expect(await later.message).toEqual({ at: 14 });
    expect(heard).toEqual([]);
  });

  it('counts a malformed message from Redis and drops it, without throwing', async () => {
    const [, two] = brokers;
    const heard: BrokerMessage[] = [];
    const stop = two.subscribe('test.family:m', (m) => heard.push(m));
    const good = await nextMessage(two, 'test.family:m');
    await stop.ready;
    const raw = new Redis(REDIS.url);
    try {
      await raw.publish(`${prefix}test.family:m`, 'not json');
      await raw.publish(`${prefix}test.family:m`, JSON.stringify({ at: 'yesterday' }));
      await raw.publish(`${prefix}test.family:m`, JSON.stringify({ at: 15 }));
    } finally {
      raw.disconnect();
    }
    const message = await good.message;
    // the one well-formed message of the three reached both listeners; the other two were counted
    expect(message).toEqual({ at: 15 });
    expect(heard).toEqual([{ at: 15 }]);
    expect(await metricValue(registries[1], 'plaza_events_dropped_total', { reason: 'malformed' })).toBe(2);
    stop();
  });
});
