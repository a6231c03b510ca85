import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import type { DocumentNode } from 'graphql';
import { errorCodesOf } from '../platform/log.ts';
import type { FieldAuthorization } from './engine/shaping.ts';
import { ANONYMOUS, type Viewer } from '../platform/internal-token.ts';
import type { SubsequentPayload } from './engine/defer.ts';
import type { Refusal } from './plugin.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The gateway's state of this request: created when it arrives, filled by the pipeline, Apollo's context. */
    plaza: GatewayContext;
  }
}

/** The app a request comes from. */
export interface ClientIdentity {
  /** Client name: a partner's registered name, or `apollographql-client-name` for first-party apps. */
  name: string;
  /** App version, when the client says (`apollographql-client-version` or the manifest's). */
  version?: string;
  /** Partners are identified by API key; first-party apps by their client headers. */
  kind: 'partner' | 'first-party' | 'unknown';
}

export const UNKNOWN_CLIENT: ClientIdentity = Object.freeze({ name: 'unknown', kind: 'unknown' }) as ClientIdentity;

/**
 * The one per-request state of the gateway: created when the request arrives (gateway/server.ts),
 * filled by the plugins' hooks as the pipeline learns about it, and Apollo Server's context.
 */
export interface GatewayContext {
  /** The caller, as established from their credentials (anonymous until a plugin says otherwise). */
  viewer: Viewer;
  /** The calling app (unknown until a plugin says otherwise). */
  client: ClientIdentity;
  /** Whether `client` was read from the request's headers yet (gateway/plugins/clients.ts). */
  clientKnown?: boolean;
  /** The signed token forwarded to subgraphs; created once per request, after every plugin ran. */
  internalToken?: Promise<string>;
  /** This request's id (the caller's `x-request-id` when sane, else a new one); forwarded to subgraphs and logged. */
  requestId?: string;
  /** W3C trace context forwarded to subgraphs (`traceparent`): the caller's trace, or a new one. */
  traceparent?: string;
  /**
   * The operation without the fields the caller may not read, when authorization removed
   * some; `variant` names which were removed (plans are cached per variant). With
   * `authorization`, the engine completes the denied fields in the answer itself and says
   * so in `completed`; otherwise authorization completes them afterwards.
   */
  authorizedDocument?: { document: DocumentNode; variant: string; authorization?: FieldAuthorization; completed?: boolean };
  /**
   * Where the engine leaves the rest of an answer given in parts (@defer) for the HTTP layer
   * to write after the first part: created with the context and shared by reference, so it
   * survives Apollo Server's copy of the context. Without it, answers come whole.
   */
  incremental?: { subsequent?(): AsyncIterable<SubsequentPayload> };
  /**
   * Set when the request came over a transport that streams (WebSocket, SSE): a
   * subscription is served only then, its events left here by the engine for the
   * transport to write. Created before Apollo and shared by reference, like `incremental`.
   */
  live?: LiveRequest;
  /** When the caller's credentials expire (epoch ms), if they do: a live connection is closed then. */
  credentialsExpireAt?: number;
  /** The client's headers the header rules read (see gateway/header-rules.ts), when there are rules. */
  ruleHeaders?: Record<string, string>;
  /** Subgraph answer headers the header rules pass back to the client (filled as fetches answer; shared by reference). */
  passedHeaders?: Map<string, string>;
  /** What the request turned out to be, for its log line and metrics (filled as the pipeline learns it). */
  observed?: ObservedRequest;
  /** Set when the gateway refused the request before GraphQL ran. */
  refusal?: Refusal;
}

/** A request over a transport that streams (see gateway/plugins/subscriptions.ts). */
export interface LiveRequest {
  transport: 'ws' | 'sse';
  /** A subscription's events, each a result for the client, once the engine has subscribed upstream. */
  events?: AsyncIterable<GatewayExecutionResult>;
  /** Signs a new internal token for `context` (a later event's fetches outlive the request's token). */
  renewToken?(context: GatewayContext): void;
}

/** The state a request starts with: anonymous, from an unknown client, nothing observed yet. */
export function newRequestState(): GatewayContext {
  return { viewer: ANONYMOUS, client: UNKNOWN_CLIENT, incremental: {}, observed: {} };
}

/** What logs and metrics report about a request; shared by reference, so it survives context copies. */
export interface ObservedRequest {
  operationName?: string;
  /** sha256 of the executed document (the persisted-query id). */
  operationId?: string;
  /** Distinct `extensions.code`s of the answer's errors. */
  errorCodes?: string[];
  /** Whether the answer carried data along with its errors. */
  hasData?: boolean;
}

/** Fills the request state's `observed` as Apollo learns the operation and its errors (logs and metrics read it). */
export const observeOperation: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, operationName, queryHash, response }) {
        const observed = contextValue.observed;
        if (!observed) return;
        observed.operationName = operationName ?? undefined;
        observed.operationId = queryHash;
        if (response.body.kind === 'single') {
          observed.errorCodes = errorCodesOf(response.body.singleResult.errors);
          observed.hasData = response.body.singleResult.data != null;
        }
      },
    };
  },
};
