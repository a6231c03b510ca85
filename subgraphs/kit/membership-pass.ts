import { signHs256, verifyHs256 } from '../../platform/jwt.ts';

/**
 * A membership pass: the membership subgraph's signed statement that a user is a
 * member of a merchant's program. The coupons subgraph checks it for members-only
 * offers, so subgraphs never read each other's tables.
 */
const PASS = { issuer: 'plaza-membership', audience: 'plaza-membership-pass' };
/** A pass is valid this long; the client fetches a fresh one with the membership. */
export const PASS_LIFETIME_SECONDS = 15 * 60;

export function signMembershipPass(userId: string, merchantId: string, secret: string): Promise<string> {
  return signHs256(PASS, { merchant: merchantId }, userId, PASS_LIFETIME_SECONDS, secret);
}

/** True when the pass is genuine, unexpired, and names this user and merchant. */
export async function isValidMembershipPass(
  pass: string | null | undefined,
  userId: string,
  merchantId: string,
  secret: string,
): Promise<boolean> {
  const payload = pass ? await verifyHs256(PASS, pass, secret) : null;
  return !!payload && payload.sub === userId && payload.merchant === merchantId;
}
