/**
 * Subscriptions to the subgraphs: one GraphQL-over-WebSocket connection per subgraph
 * (the `graphql-transport-ws` protocol, with graphql-ws's client), shared by every
 * subscription the gateway serves from that subgraph. The connection proves the gateway
 * with an internal token; each subscription carries its own viewer's token in its
 * `extensions.plaza.token`, so one socket serves many users. A dropped connection is
 * reopened with backoff and its subscriptions are sent again (graphql-ws's retries).
 *
 * Identical subscriptions of one viewer (a user's phone and tablet on the same screen:
 * same document, variables and identity) share one upstream subscription: the subgraph
 * executes each event once and the gateway hands it to every subscriber, who completes
 * and writes it on its own. The shared one ends when its last subscriber leaves.
 */
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { ANONYMOUS, signInternalToken } from '../../platform/internal-token.ts';

export interface UpstreamSubscription {
  /**
   * What makes two subscriptions the same one upstream: the viewer's identity, the
   * document and the variables. Subscriptions with equal keys share one; without a key
   * a subscription has its own.
   */
  key?: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  /**
   * The viewer's internal token, read each time the subscription is sent: after a
   * reconnection it is sent again, and must not carry a token that expired meanwhile.
   */
  token(): string;
  /** Signs the viewer a new token; awaited for every subscription before a reconnected socket sends them again. */
  renew(): Promise<void>;
}

export interface UpstreamSink {
  next(result: ExecutionResult): void;
  error(error: unknown): void;
  complete(): void;
}

/** The WebSocket address of a subgraph served at an http(s) URL. */
export function webSocketUrl(url: string): string {
  return url.replace(/^http/, 'ws');
}

/** One subscription sent to the subgraph, and the subscribers it serves. */
interface Shared {
  key: string | undefined;
  /** The subscriptions served: any of them (the first) speaks for all when it is sent again. */
  members: Map<UpstreamSubscription, UpstreamSink>;
  stop: () => void;
}

export class UpstreamSubscriptions {
  private readonly client: Client;
  /** The subscriptions sent on this socket: after a reconnection each is sent again, with a token signed then. */
  private readonly sent = new Set<Shared>();
  /** Those with a key, by key. */
  private readonly byKey = new Map<string, Shared>();
  private connections = 0;

  constructor(
    readonly name: string,
    url: string,
    internalSecret: string,
  ) {
    this.client = createClient({
      url: webSocketUrl(url),
      webSocketImpl: WebSocket,
      connectionParams: async () => {
        // a reconnection sends every subscription again: their tokens are renewed first (the first connection needs none)
        if (this.connections++ > 0) await Promise.all([...this.sent].map((shared) => speakerOf(shared)?.renew()));
        return { token: await signInternalToken(ANONYMOUS, internalSecret) };
      },
      lazy: true,
      // a second's grace lets a subscription that ends and one that starts share the socket
      lazyCloseTimeout: 1_000,
      keepAlive: 10_000,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      // 250 ms doubling to 8 s, with jitter: a subgraph replica restarting is found again soon
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(8_000, 250 * 2 ** retries) * (0.5 + Math.random() / 2))),
      // every close but a refusal of the gateway's own token is worth another try
      shouldRetry: (event) => !(event && typeof event === 'object' && 'code' in event && (event as { code: number }).code === 4403),
    });
  }

  /** Subscriptions sent to the subgraph now (shared ones count once). */
  get size(): number {
    return this.sent.size;
  }

  /** Subscribes (or joins an identical subscription already sent); returns what ends it for this subscriber. */
  subscribe(subscription: UpstreamSubscription, sink: UpstreamSink): () => void {
    const { key } = subscription;
    const joined = key === undefined ? undefined : this.byKey.get(key);
    if (joined) {
      joined.members.set(subscription, sink);
      return () => this.leave(joined, subscription);
    }
    const shared: Shared = { key, members: new Map([[subscription, sink]]), stop: () => {} };
    const ended = () => this.forget(shared);
    const each = (deliver: (sink: UpstreamSink) => void) => {
      for (const member of [...shared.members.values()]) deliver(member);
    };
    this.sent.add(shared);
    if (key !== undefined) this.byKey.set(key, shared);
    shared.stop = this.client.subscribe(
      {
        query: subscription.query,
        operationName: subscription.operationName,
        variables: subscription.variables,
        // read each time it is sent: the token of a subscriber still there, not yet expired
        extensions: { plaza: { toJSON: () => ({ token: speakerOf(shared)?.token() ?? '' }) } },
      },
      {
        next: (result) => each((member) => member.next(result as ExecutionResult)),
        error: (error) => {
          ended();
          each((member) => member.error(error));
        },
        complete: () => {
          ended();
          each((member) => member.complete());
        },
      },
    );
    return () => this.leave(shared, subscription);
  }

  private leave(shared: Shared, subscription: UpstreamSubscription): void {
    if (!shared.members.delete(subscription) || shared.members.size > 0) return;
    this.forget(shared);
    shared.stop();
  }

  private forget(shared: Shared): void {
    this.sent.delete(shared);
    if (shared.key !== undefined && this.byKey.get(shared.key) === shared) this.byKey.delete(shared.key);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

/** The subscriber whose token a shared subscription carries. */
function speakerOf(shared: Shared): UpstreamSubscription | undefined {
  return shared.members.keys().next().value;
}
