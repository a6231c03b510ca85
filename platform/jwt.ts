import { SignJWT, jwtVerify, type JWTPayload } from 'jose';

/** Who signs a kind of token and for whom: each kind has its own issuer and audience. */
export interface TokenKind {
  issuer: string;
  audience: string;
}

const keys = new Map<string, Promise<CryptoKey>>();

/**
 * The HS256 key of a shared secret, imported once per secret: tokens are signed by the
 * gateway and checked by a subgraph on every request, and importing a raw secret each
 * time costs about as much as the signature itself.
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

/** Signs an HS256 token of this kind, for `subject` when given, valid for `lifetimeSeconds`. */
export async function signHs256(kind: TokenKind, claims: JWTPayload, subject: string | undefined, lifetimeSeconds: number, secret: string): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(kind.issuer).setAudience(kind.audience).setIssuedAt().setExpirationTime(`${lifetimeSeconds}s`);
  if (subject) jwt.setSubject(subject);
  return jwt.sign(await hmacKey(secret));
}

/** The payload of a genuine, unexpired HS256 token of this kind, or null. */
export async function verifyHs256(kind: TokenKind, token: string, secret: string): Promise<JWTPayload | null> {
  try {
    return (await jwtVerify(token, await hmacKey(secret), { issuer: kind.issuer, audience: kind.audience, algorithms: ['HS256'] })).payload;
  } catch {
    return null;
  }
}
