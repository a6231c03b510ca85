import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { BoundedCache, ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { ANONYMOUS, type Viewer } from '../../platform/internal-token.ts';
import { hmacKey } from '../../platform/jwt.ts';
import type { GatewayPlugin } from '../plugin.ts';
import type { GatewayContext } from '../context.ts';
import { SECURITY_DEFAULTS } from '../config.ts';

/** Options of the bearer-token identity check. */
export interface IdentityOptions {
  /** HS256 secret development tokens are signed with; null refuses HS256 tokens. */
  secret: string | null;
  /** JWKS endpoint of the identity provider; keys are fetched by `kid` and re-fetched when an unknown `kid` shows up. Default none. */
  jwksUrl?: string | null;
  /** Local JSON Web Key Set file; re-read when a token names an unknown `kid` and the file changed. Default none. */
  jwksFile?: string | null;
  /** Shortest wait between two JWKS fetches caused by unknown `kid`s, in ms. Default 30000. */
  jwksCooldownMs?: number;
  /** Expected `iss` claim. Default `plaza`. */
  issuer?: string;
  /** Expected `aud` claim. Default `plaza-api`. */
  audience?: string;
  /** Claim holding the scopes (space-separated string or array of strings). Default `scope`. */
  scopeClaim?: string;
}

/** The schema's defaults (PLAZA_JWT_ISSUER, PLAZA_JWT_AUDIENCE, PLAZA_JWT_SCOPE_CLAIM, PLAZA_JWKS_COOLDOWN_MS; platform/settings.ts). */
export const IDENTITY_DEFAULTS = {
  issuer: SECURITY_DEFAULTS.jwtIssuer,
  audience: SECURITY_DEFAULTS.jwtAudience,
  scopeClaim: SECURITY_DEFAULTS.scopeClaim,
  jwksCooldownMs: SECURITY_DEFAULTS.jwksCooldownMs,
} as const;

/** Asymmetric algorithms accepted from a key set (never HS256: a public key is not a secret). */
export const KEY_SET_ALGORITHMS = ['RS256', 'ES256'] as const;

/** A `sub` the gateway vouches for: printable, no control characters, at most 256 characters. */
const USER_ID = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** HS256 bearer tokens remembered once verified (`bearer_tokens_verified` in /metrics). */
const VERIFIED_TOKENS = 10_000;
/** How long a verified token is taken without a new check, in ms (and never past its `exp`). */
const VERIFIED_FOR_MS = 5 * 60_000;
/** What a verified token says, as identify() uses it. */
interface Verified {
  payload: JWTPayload;
  /** Until when it is taken without a new check, in ms since the epoch. */
  until: number;
}

function refuse(message: string): never {
  throw plazaError(ErrorCode.UNAUTHENTICATED, message, { httpStatus: 401 });
}

/** A key set read from a file, re-read when a token names a `kid` it lacks and the file has changed since. */
function fileKeySet(file: string): JWTVerifyGetKey {
  let mtime = -1;
  let keys: JWTVerifyGetKey = () => Promise.reject(new joseErrors.JWKSNoMatchingKey());
  function load(): boolean {
    const stat = fs.statSync(file);
    if (stat.mtimeMs === mtime) return false;
    const jwks = JSON.parse(fs.readFileSync(file, 'utf8')) as JSONWebKeySet;
    keys = createLocalJWKSet(jwks);
    mtime = stat.mtimeMs;
    return true;
  }
  load();
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey && load()) return keys(header, token);
      throw error;
    }
  };
}

function scopesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

/**
 * Resolves the caller from `Authorization: Bearer <jwt>`. No header means anonymous;
 * a header with a bad token (forged, expired, not yet valid, wrong audience or issuer,
 * unknown key) is refused with 401 UNAUTHENTICATED.
 */
export function useIdentity(options: IdentityOptions): GatewayPlugin {
  const settings = { ...IDENTITY_DEFAULTS, ...options };
  const secret = options.secret ? hmacKey(options.secret) : null;
  const keySet: JWTVerifyGetKey | null = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: settings.jwksCooldownMs, timeoutDuration: 5000 })
    : options.jwksFile
      ? fileKeySet(options.jwksFile)
      : null;

  /**
   * A client sends the same token with every request of its session, and checking an
   * HS256 signature through WebCrypto costs more than the rest of the identity check: an
   * HS256 token that checked out is remembered, as its exact text, until it expires or
   * VERIFIED_FOR_MS pass; an entry past its time is checked afresh (an expired token is
   * then refused as any other). Only HS256 tokens: their key is this gateway's secret for
   * as long as this plugin lives, while a key-set key can be withdrawn at any moment and a
   * token it signed must stop signing in then.
   */
  const verified = new BoundedCache<string, Verified>('bearer_tokens_verified', { maxEntries: VERIFIED_TOKENS }, (token) => ENTRY_BYTES + stringBytes(token) + 512);

  async function verify(token: string): Promise<JWTPayload> {
    const known = verified.get(token);
    if (known && Date.now() < known.until) return known.payload;
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      refuse('Bearer token is not a JWT');
    }
    const claims = { issuer: settings.issuer, audience: settings.audience, requiredClaims: ['sub', 'exp'] };
    try {
      if (alg === 'HS256') {
        if (!secret) refuse('HS256 tokens are not accepted by this gateway');
        const { payload } = await jwtVerify(token, await secret, { ...claims, algorithms: ['HS256'] });
        verified.set(token, { payload, until: Math.min(Date.now() + VERIFIED_FOR_MS, (payload.exp as number) * 1000) });
        return payload;
      }
      if (!keySet) refuse('Bearer tokens signed with keys are not accepted by this gateway (no key set configured)');
      return (await jwtVerify(token, keySet, { ...claims, algorithms: [...KEY_SET_ALGORITHMS] })).payload;
    } catch (error) {
      if (error instanceof Error && 'extensions' in error) throw error;
      if (error instanceof joseErrors.JWTExpired) refuse('Token has expired');
      if (error instanceof joseErrors.JWTClaimValidationFailed) refuse(`Token claim "${error.claim}" is not accepted`);
      return refuse('Invalid token');
    }
  }

  async function identify(req: FastifyRequest, context: GatewayContext): Promise<Viewer> {
    const header = req.headers.authorization;
    if (!header) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) refuse('Authorization header must be "Bearer <token>"');
    const payload = await verify(match[1]);
    // a genuine token may still name its user oddly (a number, an empty string): no user id to vouch for
    if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) refuse('Token claim "sub" must be a user id (a non-empty string)');
    // a live connection (WebSocket, SSE) is closed when its credentials expire
    if (typeof payload.exp === 'number') context.credentialsExpireAt = payload.exp * 1000;
    return { userId: payload.sub, scopes: scopesOf(payload[settings.scopeClaim]) };
  }

  return {
    name: 'identity',
    async context(req, context) {
      context.viewer = await identify(req, context);
    },
    async stop() {
      verified.close();
    },
  };
}

/** Claims of an issued token. */
export interface TokenClaims {
  userId: string;
  scopes?: string[];
  /** Lifetime (`12h`, `5m`) or an absolute expiry in epoch seconds. Default `12h`. */
  expiresIn?: string | number;
  /** Not valid before (`5m` from now, or epoch seconds). Default: valid at once. */
  notBefore?: string | number;
  issuer?: string;
  audience?: string;
  scopeClaim?: string;
}

function unsignedToken(claims: TokenClaims): SignJWT {
  const jwt = new SignJWT({ [claims.scopeClaim ?? IDENTITY_DEFAULTS.scopeClaim]: (claims.scopes ?? []).join(' ') })
    .setSubject(claims.userId)
    .setIssuer(claims.issuer ?? IDENTITY_DEFAULTS.issuer)
    .setAudience(claims.audience ?? IDENTITY_DEFAULTS.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h');
  if (claims.notBefore !== undefined) jwt.setNotBefore(claims.notBefore);
  return jwt;
}

/** Issues a development token signed with the HS256 secret (see `npm run token`). */
export async function issueToken(secret: string, claims: TokenClaims): Promise<string> {
  return unsignedToken(claims).setProtectedHeader({ alg: 'HS256' }).sign(await hmacKey(secret));
}

/** Issues a token signed with a private JWK (RS256 or ES256, named by its `kid`), as an identity provider would. */
export async function issueKeySignedToken(privateJwk: JWK, claims: TokenClaims): Promise<string> {
  const alg = privateJwk.alg ?? (privateJwk.kty === 'EC' ? 'ES256' : 'RS256');
  const key = await importJWK(privateJwk, alg);
  return unsignedToken(claims).setProtectedHeader({ alg, kid: privateJwk.kid }).sign(key);
}

/** A new signing key: the private JWK and its public half for a JWKS. */
export async function generateSigningKey(alg: (typeof KEY_SET_ALGORITHMS)[number], kid: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateJwk, publicJwk };
}
