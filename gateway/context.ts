import type { Viewer } from '../subgraphs/kit/internal-token.ts';

/** Per-request state of the gateway, built in the context function by the plugins. */
export interface GatewayContext {
  /** The caller, as established from their credentials (anonymous until a plugin says otherwise). */
  viewer: Viewer;
  /** The signed token forwarded to subgraphs; created once per request, after every plugin ran. */
  internalToken?: Promise<string>;
}
