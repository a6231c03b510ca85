import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import type { Viewer } from '../../platform/internal-token.ts';

/** The signed-in user's id; mutations and private reads refuse anonymous callers. */
export function requireUserId(viewer: Viewer): string {
  if (!viewer.userId) throw plazaError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  return viewer.userId;
}

/** Private data is readable by its owner only. */
export function assertOwner(viewer: Viewer, ownerId: string, what: string): void {
  if (viewer.userId !== ownerId) throw plazaError(ErrorCode.FORBIDDEN, `${what} are visible to their owner only`);
}

/** Client-chosen references (idempotency keys, payment ids, ids): short and printable. */
export function checkReference(argumentName: string, value: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(value)) badUserInput(argumentName, `${argumentName} must be 1-128 printable characters`);
  return value;
}

/** A page size (`first`) between 1 and `max`. */
export function checkFirst(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) badUserInput('first', `first must be between 1 and ${max}`);
  return first;
}

/** Money in whole yuan, 1 to 10,000,000. */
export function checkYuanAmount(argumentName: string, amount: number): number {
  if (!Number.isInteger(amount) || amount <= 0 || amount > 10_000_000) {
    badUserInput(argumentName, `${argumentName} must be a whole number of yuan between 1 and 10,000,000`);
  }
  return amount;
}

export function checkIdempotencyKey(key: string): string {
  return checkReference('idempotencyKey', key);
}
