/**
 * Subscriptions to the subgraphs: one GraphQL-over-WebSocket connection per subgraph
 * (the `graphql-transport-ws` protocol, with graphql-ws's client), shared by every
 * subscription the gateway serves from that subgraph. The connection proves the gateway
 * with an internal token; each subscription carries its own viewer's token in its
 * `extensions.plaza.token`, so one socket serves many users. A dropped connection is
 * reopened with backoff and its subscriptions are sent again (graphql-ws's retries).
 */
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { ANONYMOUS, signInternalToken } from '../../platform/internal-token.ts';

export interface UpstreamSubscription {
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

export class UpstreamSubscriptions {
  private readonly client: Client;
  /** The subscriptions sent on this socket: after a reconnection each is sent again, with a token signed then. */
  private readonly active = new Set<UpstreamSubscription>();
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
        if (this.connections++ > 0) await Promise.all([...this.active].map((subscription) => subscription.renew()));
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

  /** Subscribes; returns what ends the subscription. */
  subscribe(subscription: UpstreamSubscription, sink: UpstreamSink): () => void {
    this.active.add(subscription);
    const stop = this.client.subscribe(
      {
        query: subscription.query,
        operationName: subscription.operationName,
        variables: subscription.variables,
        extensions: { plaza: { toJSON: () => ({ token: subscription.token() }) } },
      },
      { next: (result) => sink.next(result as ExecutionResult), error: (error) => sink.error(error), complete: () => sink.complete() },
    );
    return () => {
      this.active.delete(subscription);
      stop();
    };
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
