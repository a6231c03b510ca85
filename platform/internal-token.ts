import { BoundedCache, ENTRY_BYTES, stringBytes } from './caches.ts';
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
  /**
   * Set only when another subgraph is the caller (see peers.ts): the name of that
   * subgraph. The gateway never sets it, so no client can appear as a service.
   */
  service?: string;
}

export const ANONYMOUS: Viewer = Object.freeze({ scopes: [] }) as Viewer;

/** Tokens signed this second, by secret and viewer (how many viewers are kept per secret, at most). */
const SIGNED_LIMIT = 4096;
/** Heap of a token of the gateway's, as a string: a few hundred characters. */
const TOKEN_BYTES = 400;
const signed = new Map<string, BoundedCache<string, { second: number; token: Promise<string> }>>();

/**
 * The token vouching for `viewer`. Its claims are the viewer's and its `iat`/`exp`, which
 * have second precision: every token for one viewer signed within one second is the same
 * string, so within a second it is signed once and reused.
 */
export function signInternalToken(viewer: Viewer, secret: string): Promise<string> {
  const second = Math.floor(Date.now() / 1000);
  let bySecret = signed.get(secret);
  if (!bySecret) signed.set(secret, (bySecret = new BoundedCache('internal_token_signed', { maxEntries: SIGNED_LIMIT }, (key) => ENTRY_BYTES + stringBytes(key) + TOKEN_BYTES)));
  const key = JSON.stringify([viewer.userId ?? null, viewer.scopes, viewer.clientName ?? null, viewer.service ?? null]);
  const known = bySecret.get(key);
  if (known && known.second === second) return known.token;
  const claims = viewer.service ? { scopes: viewer.scopes, client: viewer.clientName, svc: viewer.service } : { scopes: viewer.scopes, client: viewer.clientName };
  const token = signHs256(INTERNAL, claims, viewer.userId, LIFETIME_SECONDS, secret);
  const entry = { second, token };
  bySecret.set(key, entry);
  // a failed signature is not kept (unless a later one replaced it already)
  token.catch(() => {
    if (bySecret.peek(key) === entry) bySecret.delete(key);
  });
  return token;
}

/** How many verified tokens a process remembers, per secret. */
const VERIFIED_LIMIT = 4096;
/**
 * Tokens whose signature already checked out, with what they vouch for, until they
 * expire. Every fetch of one gateway request carries the same token, and the gateway's
 * tokens for one viewer are the same string within a second (`iat` has second
 * precision), so most subgraph requests find theirs here and skip the HMAC check.
 * Only genuine tokens are remembered; each is dropped once past its `exp`.
 */
const verified = new Map<string, BoundedCache<string, { viewer: Viewer; expiresAtMs: number }>>();

/** Returns the viewer the gateway vouched for, or null when the token is missing or invalid. */
export async function verifyInternalToken(token: string | undefined, secret: string): Promise<Viewer | null> {
  if (!token) return null;
  let known = verified.get(secret);
  const hit = known?.get(token);
  if (hit) {
    if (Date.now() < hit.expiresAtMs) return hit.viewer;
    known!.delete(token);
  }
  const payload = await verifyHs256(INTERNAL, token, secret);
  if (!payload) return null;
  const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === 'string') : [];
  const viewer: Viewer = Object.freeze({
    userId: typeof payload.sub === 'string' ? payload.sub : undefined,
    scopes: Object.freeze(scopes) as string[],
    clientName: typeof payload.client === 'string' ? payload.client : undefined,
    ...(typeof payload.svc === 'string' ? { service: payload.svc } : {}),
  });
  if (typeof payload.exp === 'number') {
    if (!known) verified.set(secret, (known = new BoundedCache('internal_token_verified', { maxEntries: VERIFIED_LIMIT }, (key) => ENTRY_BYTES + stringBytes(key) + TOKEN_BYTES)));
    known.set(token, { viewer, expiresAtMs: payload.exp * 1000 });
  }
  return viewer;
}
