/**
 * The event broker subgraphs publish committed changes on and subscriptions listen to:
 * Redis pub/sub when a Redis URL is configured (every replica of every subgraph hears every
 * replica's events), in-process otherwise (a map of topic → listeners; what one process
 * publishes only its own listeners hear).
 *
 * A message is a JSON object with `at`, the commit time in ms since the epoch. A topic is
 * `<family>:<owner id>` (e.g. `membership.points-changed:u1`), so a listener hears only its
 * owner's events; listeners still check the owner ids a message carries. With Redis, one
 * broker holds two connections, one publishing and one subscribed, whatever the number of
 * topics; a topic's channel (`plaza:events:<topic>`) is subscribed with its first listener
 * and unsubscribed after its last, so the broker only holds the topics someone listens to.
 * A malformed message is dropped and counted, never thrown at a listener.
 */
import { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';

/** What every broker message carries besides its own fields. */
export interface BrokerMessage {
  /** When the change was committed, in ms since the epoch. */
  at: number;
  [field: string]: unknown;
}

export type BrokerListener = (message: BrokerMessage) => void;

/** Stops a listener; `ready` settles once the broker is subscribed to the topic (with Redis, once Redis acknowledged it). */
export type BrokerSubscription = (() => void) & { ready: Promise<void> };

export interface Broker {
  /** Publishes `message` (a JSON object with `at`) to every listener of `topic`, in every process on the same broker. */
  publish(topic: string, message: object): Promise<void>;
  /** Calls `listener` with each message on `topic` until the returned function is called. */
  subscribe(topic: string, listener: BrokerListener): BrokerSubscription;
  /** Drops every listener and closes the broker's connections. */
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** `redis://` or `rediss://` URL of the Redis to publish through; default none (in-process). */
  redisUrl?: string | null;
  /** Prefix of the Redis channels; default `plaza:events:`. */
  prefix?: string;
  /** Registry the broker's metrics are registered on; default a registry of its own. */
  registry?: Registry;
  /** Told of a failed Redis connection (once until it is back) and of listeners that threw; default console.error. */
  onError?: (error: Error, what: string) => void;
}

export const BROKER_DEFAULTS = {
  prefix: 'plaza:events:',
  onError: (error: Error, what: string) => console.error(`event broker: ${what}: ${error.message}`),
} as const;

/** What a broker measures; labelled by topic family (the topic up to its first `:`), so label cardinality stays bounded. */
interface BrokerMetrics {
  published: Counter<'family'>;
  received: Counter<'family'>;
  dropped: Counter<'reason'>;
  topics: Gauge;
}

function brokerMetrics(registry: Registry): BrokerMetrics {
  return {
    published: new Counter({
      name: 'plaza_events_published_total',
      help: 'Events this process published on the broker, by topic family',
      labelNames: ['family'],
      registers: [registry],
    }),
    received: new Counter({
      name: 'plaza_events_received_total',
      help: 'Events this process received from the broker for its listeners, by topic family',
      labelNames: ['family'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'plaza_events_dropped_total',
      help: 'Events dropped: malformed (not a JSON object with a numeric `at`), or a listener that threw',
      labelNames: ['reason'],
      registers: [registry],
    }),
    topics: new Gauge({ name: 'plaza_events_active_topics', help: 'Topics this process listens to now', registers: [registry] }),
  };
}

/** The family of a topic: its text up to the first `:` (the owner id after it is not a label). */
export function topicFamily(topic: string): string {
  const colon = topic.indexOf(':');
  return colon === -1 ? topic : topic.slice(0, colon);
}

/** The message in `text`, or null when it is not a JSON object with a finite numeric `at`. */
export function parseBrokerMessage(text: string): BrokerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const at = (value as { at?: unknown }).at;
  return typeof at === 'number' && Number.isFinite(at) ? (value as BrokerMessage) : null;
}

/** Creates the broker the options describe: on Redis when `redisUrl` is set, in-process otherwise. */
export function createBroker(options: BrokerOptions = {}): Broker {
  const prefix = options.prefix ?? BROKER_DEFAULTS.prefix;
  const onError = options.onError ?? BROKER_DEFAULTS.onError;
  const metrics = brokerMetrics(options.registry ?? new Registry());
  const listeners = new Map<string, Set<BrokerListener>>();
  const transport = options.redisUrl ? redisTransport(options.redisUrl, prefix, onError, (topic, text) => deliver(topic, text)) : memoryTransport((topic, text) => deliver(topic, text));

  function deliver(topic: string, text: string): void {
    const set = listeners.get(topic);
    if (!set) return;
    const message = parseBrokerMessage(text);
    if (!message) {
      metrics.dropped.inc({ reason: 'malformed' });
      return;
    }
    metrics.received.inc({ family: topicFamily(topic) });
    // a listener's copy: none can change what the next one reads
    let first = true;
    for (const listener of [...set]) {
      try {
        const copy = first ? message : (JSON.parse(text) as BrokerMessage);
        first = false;
        listener(copy);
      } catch (error) {
        metrics.dropped.inc({ reason: 'listener_error' });
        onError(error instanceof Error ? error : new Error(String(error)), `a listener of ${topic} failed`);
      }
    }
  }

  return {
    async publish(topic, message) {
      const text = typeof message === 'object' && message !== null && !Array.isArray(message) ? JSON.stringify(message) : '';
      if (!parseBrokerMessage(text)) {
        metrics.dropped.inc({ reason: 'malformed' });
        return;
      }
      await transport.publish(topic, text);
      metrics.published.inc({ family: topicFamily(topic) });
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      let ready: Promise<void>;
      if (set) {
        ready = transport.ready(topic);
      } else {
        listeners.set(topic, (set = new Set()));
        metrics.topics.set(listeners.size);
        ready = transport.listen(topic);
      }
      set.add(listener);
      let active = true;
      const unsubscribe = () => {
        if (!active) return;
        active = false;
        const current = listeners.get(topic);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(topic);
        metrics.topics.set(listeners.size);
        transport.unlisten(topic);
      };
      return Object.assign(unsubscribe, { ready });
    },
    async close() {
      listeners.clear();
      metrics.topics.set(0);
      await transport.close();
    },
  };
}

/** How messages travel: published texts come back through the broker's `deliver`. */
interface Transport {
  publish(topic: string, text: string): Promise<void>;
  /** Starts hearing a topic; settles once it is heard. */
  listen(topic: string): Promise<void>;
  /** Settles once a topic already listened to is heard. */
  ready(topic: string): Promise<void>;
  unlisten(topic: string): void;
  close(): Promise<void>;
}

function memoryTransport(deliver: (topic: string, text: string) => void): Transport {
  return {
    async publish(topic, text) {
      // after the publisher's own work, as a message from Redis would be
      setImmediate(() => deliver(topic, text));
    },
    listen: async () => {},
    ready: async () => {},
    unlisten: () => {},
    close: async () => {},
  };
}

function redisTransport(url: string, prefix: string, onError: (error: Error, what: string) => void, deliver: (topic: string, text: string) => void): Transport {
  const connect = (role: string) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    // a connection that drops is said once until it is back; ioredis reconnects and subscribes again
    let down = false;
    redis.on('error', (error: Error) => {
      if (down) return;
      down = true;
      onError(error, `${role} connection to ${new URL(url).host}`);
    });
    redis.on('ready', () => {
      down = false;
    });
    return redis;
  };
  const publisher = connect('publishing');
  const subscriber = connect('subscribing');
  // the acknowledgement of each channel's SUBSCRIBE, while the channel is subscribed
  const subscribed = new Map<string, Promise<void>>();
  let closed = false;
  subscriber.on('message', (channel: string, text: string) => {
    if (channel.startsWith(prefix)) deliver(channel.slice(prefix.length), text);
  });
  return {
    async publish(topic, text) {
      await publisher.publish(prefix + topic, text);
    },
    listen(topic) {
      if (closed) return Promise.resolve();
      const acknowledged = subscriber.subscribe(prefix + topic).then(
        () => undefined,
        (error: Error) => onError(error, `subscribing to ${topic}`),
      );
      subscribed.set(topic, acknowledged);
      return acknowledged;
    },
    ready: (topic) => subscribed.get(topic) ?? Promise.resolve(),
    unlisten(topic) {
      subscribed.delete(topic);
      if (closed) return;
      subscriber.unsubscribe(prefix + topic).catch((error: Error) => onError(error, `unsubscribing from ${topic}`));
    },
    async close() {
      closed = true;
      subscribed.clear();
      await Promise.all([publisher, subscriber].map((redis) => redis.quit().then(() => undefined, () => redis.disconnect())));
    },
  };
}
