import type { DocumentNode } from 'graphql';
import type { FieldAuthorization } from './engine/shaping.ts';
import type { Viewer } from '../platform/internal-token.ts';
import type { SubsequentPayload } from './engine/defer.ts';

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

/** Per-request state of the gateway, built in the context function by the plugins. */
export interface GatewayContext {
  /** The caller, as established from their credentials (anonymous until a plugin says otherwise). */
  viewer: Viewer;
  /** The calling app (unknown until a plugin says otherwise). */
  client: ClientIdentity;
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
  /** The client's headers the header rules read (see gateway/header-rules.ts), when there are rules. */
  ruleHeaders?: Record<string, string>;
  /** Subgraph answer headers the header rules pass back to the client (filled as fetches answer; shared by reference). */
  passedHeaders?: Map<string, string>;
  /** What the request turned out to be, for its log line and metrics (filled as the pipeline learns it). */
  observed?: ObservedRequest;
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
