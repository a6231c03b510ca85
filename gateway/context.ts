import type { Viewer } from '../subgraphs/kit/internal-token.ts';

/** Per-request state of the gateway, built in the context function. */
export interface GatewayContext {
  /** The caller, as established from their credentials. */
  viewer: Viewer;
  /** The signed token forwarded to subgraphs; created once per request. */
  internalToken: Promise<string>;
}
