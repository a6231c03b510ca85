/**
 * A subgraph's side of the event broker: services publish committed changes, subscription
 * fields listen to them. A publication happens after its transaction committed (the
 * caller's promise), never for one rolled back; a failure to publish is logged, never
 * thrown at the mutation that already committed.
 */
import type { Broker, BrokerMessage } from '../../platform/broker.ts';
import type { Logger } from '../../platform/log.ts';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';

/** The topics subgraphs publish on, by owner: `<family>:<owner id>`. */
export const TOPICS = {
  /** membership: a user's points moved; `{ userId, reference, reason, at }`. */
  pointsChanged: (userId: string) => `membership.points-changed:${userId}`,
  /** coupons: an offer's stock changed (a claim); `{ offerId, merchantId, at }`. */
  offerStockChanged: (offerId: string) => `coupons.offer-stock-changed:${offerId}`,
  /** coupons: an order of the user became PAID; `{ orderId, userId, merchantId, at }`. */
  paymentConfirmed: (userId: string) => `coupons.payment-confirmed:${userId}`,
  /** placements: a placement of the merchant was reviewed; `{ placementId, merchantId, status, at }`. */
  placementReviewed: (merchantId: string) => `placements.placement-reviewed:${merchantId}`,
} as const;

export interface ListenOptions<E> {
  /** This subscription's event for a broker message, or null to skip it (another owner's, or not a message of this topic). */
  accept(message: BrokerMessage): E | null;
  /** At most one event per this many ms: the latest waiting one wins and is sent when the interval ends (none is lost). Default 0: every event. */
  throttleMs?: number;
  /** Events kept for a consumer that lags; past it the oldest are dropped. Default 256. */
  maxQueued?: number;
}

export const LISTEN_DEFAULTS = { throttleMs: 0, maxQueued: 256 } as const;

export interface SubgraphEvents {
  /** Publishes a committed change on `topic`, stamped with `at` (now, right after the commit) unless it carries one. */
  publish(topic: string, message: Record<string, unknown>): void;
  /** The accepted events of `topic`, from when the broker listens to it (awaited) until the iterator's `return()`. */
  listen<E>(topic: string, options: ListenOptions<E>): Promise<AsyncIterableIterator<E>>;
  /** Subscriptions listening now. */
  active(): number;
  /**
   * What one event reads, read once for every subscription the event reaches at once (a
   * user's devices, an offer's watchers) and kept a second: `key` names the event (its
   * topic's owner and commit time). At most EVENT_READS entries (`event_reads` in
   * /metrics); past them, reads are not shared.
   */
  readOnce<V extends {}>(key: string, read: () => Promise<V>): Promise<V>;
  /** Stops sharing reads (the subgraph stops). */
  close(): void;
}

/** Events whose reads are shared at once: a second's worth at a thousand events a second, ten times over. */
const EVENT_READS = 10_000;
/** How long an event's read is shared, in ms: the subscriptions it reaches read it within the same moment. */
const EVENT_READ_MS = 1_000;

export function subgraphEvents(broker: Broker, logger: Logger): SubgraphEvents {
  let active = 0;
  const reads = new BoundedCache<string, Promise<unknown>>('event_reads', { maxEntries: EVENT_READS }, (key) => ENTRY_BYTES + stringBytes(key) + 512);
  return {
    readOnce<V extends {}>(key: string, read: () => Promise<V>): Promise<V> {
      const known = reads.get(key) as Promise<V> | undefined;
      if (known) return known;
      const value = read();
      reads.set(key, value);
      setTimeout(() => reads.peek(key) === value && reads.delete(key), EVENT_READ_MS).unref();
      // a failed read is not shared: the next subscription reads again
      value.catch(() => reads.peek(key) === value && reads.delete(key));
      return value;
    },
    close: () => reads.close(),
    publish(topic, message) {
      broker.publish(topic, { ...message, at: message.at ?? Date.now() }).catch((error: unknown) => logger.error({ err: error, topic }, 'event not published'));
    },
    async listen<E>(topic: string, options: ListenOptions<E>) {
      const stream = eventStream<E>(options, () => active--);
      const subscription = broker.subscribe(topic, stream.push);
      stream.onEnd(subscription);
      active++;
      await subscription.ready;
      return stream.iterator;
    },
    active: () => active,
  };
}

/**
 * A queue between the broker's listener (push) and the subscription's reader (next): it
 * keeps at most `maxQueued` events, or with a throttle only the latest one, and ends on
 * `return()` (a pending `next()` then settles as done).
 */
function eventStream<E>(options: ListenOptions<E>, ended: () => void) {
  const throttleMs = options.throttleMs ?? LISTEN_DEFAULTS.throttleMs;
  const maxQueued = options.maxQueued ?? LISTEN_DEFAULTS.maxQueued;
  const queue: E[] = [];
  let waiting: ((result: IteratorResult<E>) => void) | null = null;
  let done = false;
  let stop: () => void = () => {};
  // throttle: when the last event was handed on, the latest one held back, and the timer that hands it on
  let lastSentAt = -Infinity;
  let held: { event: E } | null = null;
  let timer: NodeJS.Timeout | null = null;

  const handOn = (event: E) => {
    lastSentAt = performance.now();
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: event, done: false });
      return;
    }
    queue.push(event);
    if (queue.length > maxQueued) queue.shift();
  };
  const flushHeld = () => {
    timer = null;
    if (!held || done) return;
    const { event } = held;
    held = null;
    handOn(event);
  };

  const push = (message: BrokerMessage) => {
    if (done) return;
    const event = options.accept(message);
    if (event === null) return;
    if (throttleMs <= 0) return handOn(event);
    const wait = lastSentAt + throttleMs - performance.now();
    if (wait <= 0 && !timer) return handOn(event);
    // the latest value wins; the timer hands it on when the interval ends
    held = { event };
    timer ??= setTimeout(flushHeld, Math.max(wait, 0));
  };

  const finish = async (): Promise<IteratorResult<E>> => {
    if (!done) {
      done = true;
      if (timer) clearTimeout(timer);
      queue.length = 0;
      held = null;
      stop();
      ended();
      waiting?.({ value: undefined, done: true });
      waiting = null;
    }
    return { value: undefined, done: true };
  };

  const iterator: AsyncIterableIterator<E> = {
    next() {
      if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    push,
    iterator,
    onEnd(unsubscribe: () => void) {
      stop = unsubscribe;
    },
  };
}
