import { SignJWT, jwtVerify } from 'jose';

/**
 * A membership pass: the membership subgraph's signed statement that a user is a
 * member of a merchant's program. The coupons subgraph checks it for members-only
 * offers, so subgraphs never read each other's tables.
 */
const ISSUER = 'plaza-membership';
const AUDIENCE = 'plaza-membership-pass';
/** A pass is valid this long; the client fetches a fresh one with the membership. */
export const PASS_LIFETIME_SECONDS = 15 * 60;

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export function signMembershipPass(userId: string, merchantId: string, secret: string): Promise<string> {
  return new SignJWT({ merchant: merchantId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${PASS_LIFETIME_SECONDS}s`)
    .sign(keyOf(secret));
}

/** True when the pass is genuine, unexpired, and names this user and merchant. */
export async function isValidMembershipPass(
  pass: string | null | undefined,
  userId: string,
  merchantId: string,
  secret: string,
): Promise<boolean> {
  if (!pass) return false;
  try {
    const { payload } = await jwtVerify(pass, keyOf(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    return payload.sub === userId && payload.merchant === merchantId;
  } catch {
    return false;
  }
}
