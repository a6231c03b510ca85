import crypto from 'node:crypto';

/** A new random id with a readable prefix, e.g. `c_3f9a…` for a coupon. */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

/** A new ten-digit code a cashier can type or scan (redemption codes, voucher codes). */
export function newTenDigitCode(): string {
  return crypto.randomInt(0, 10 ** 10).toString().padStart(10, '0');
}
