import type { Viewer } from '../subgraphs/kit/internal-token.ts';

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
}
