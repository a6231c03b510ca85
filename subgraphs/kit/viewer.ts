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

/** Idempotency keys are client-chosen strings; keep them short and printable. */
export function checkIdempotencyKey(key: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(key)) {
    throw plazaError(ErrorCode.BAD_USER_INPUT, 'idempotencyKey must be 1-128 printable characters', {
      extensions: { argumentName: 'idempotencyKey' },
    });
  }
  return key;
}
