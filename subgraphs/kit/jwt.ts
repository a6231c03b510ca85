import { SignJWT, jwtVerify, type JWTPayload } from 'jose';

/** Who signs a kind of token and for whom: each kind has its own issuer and audience. */
export interface TokenKind {
  issuer: string;
  audience: string;
}

const keys = new Map<string, Uint8Array>();

/** The HS256 key of a shared secret, encoded once per secret (tokens are checked on every subgraph request). */
function keyOf(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = new TextEncoder().encode(secret)));
  return key;
}

/** Signs an HS256 token of this kind, for `subject` when given, valid for `lifetimeSeconds`. */
export function signHs256(kind: TokenKind, claims: JWTPayload, subject: string | undefined, lifetimeSeconds: number, secret: string): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(kind.issuer).setAudience(kind.audience).setIssuedAt().setExpirationTime(`${lifetimeSeconds}s`);
  if (subject) jwt.setSubject(subject);
  return jwt.sign(keyOf(secret));
}

/** The payload of a genuine, unexpired HS256 token of this kind, or null. */
export async function verifyHs256(kind: TokenKind, token: string, secret: string): Promise<JWTPayload | null> {
  try {
    return (await jwtVerify(token, keyOf(secret), { issuer: kind.issuer, audience: kind.audience, algorithms: ['HS256'] })).payload;
  } catch {
    return null;
  }
}
