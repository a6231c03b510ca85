import { ErrorCode, plazaError } from './errors.ts';
import type { Viewer } from './internal-token.ts';

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
  if (!/^[\x21-\x7e]{1,128}$/.test(value)) {
    throw plazaError(ErrorCode.BAD_USER_INPUT, `${argumentName} must be 1-128 printable characters`, {
      extensions: { argumentName },
    });
  }
  return value;
}

export function checkIdempotencyKey(key: string): string {
  return checkReference('idempotencyKey', key);
}
