import { signHs256, verifyHs256 } from './jwt.ts';

/**
 * The gateway vouches for every subgraph request with a short-lived HS256 token in
 * this header. Subgraphs refuse requests without a valid one, so nobody can call a
 * subgraph directly, let alone as another user.
 */
export const INTERNAL_TOKEN_HEADER = 'x-plaza-gateway-token';

const INTERNAL = { issuer: 'plaza-gateway', audience: 'plaza-subgraphs' };
/** Lifetime of an internal token; long enough for one request's whole plan. */
const LIFETIME_SECONDS = 60;

/** Who a request is for, as the gateway established it. */
export interface Viewer {
  /** The signed-in user's id, absent for anonymous requests. */
  userId?: string;
  /** Scopes granted to the caller (e.g. `platform:review`). */
  scopes: string[];
  /** Name of the calling client app, when known. */
  clientName?: string;
}

export const ANONYMOUS: Viewer = Object.freeze({ scopes: [] }) as Viewer;

export function signInternalToken(viewer: Viewer, secret: string): Promise<string> {
  return signHs256(INTERNAL, { scopes: viewer.scopes, client: viewer.clientName }, viewer.userId, LIFETIME_SECONDS, secret);
}

/** Returns the viewer the gateway vouched for, or null when the token is missing or invalid. */
export async function verifyInternalToken(token: string | undefined, secret: string): Promise<Viewer | null> {
  const payload = token ? await verifyHs256(INTERNAL, token, secret) : null;
  if (!payload) return null;
  const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === 'string') : [];
  return {
    userId: typeof payload.sub === 'string' ? payload.sub : undefined,
    scopes,
    clientName: typeof payload.client === 'string' ? payload.client : undefined,
  };
}
