import { ErrorCode, plazaError } from '../kit/errors.ts';
import type { Viewer } from '../kit/internal-token.ts';

export type Tier = 'BRONZE' | 'SILVER' | 'GOLD' | 'PLATINUM';

/** Lifetime points needed for each tier, highest first. */
export const TIER_THRESHOLDS: [Tier, number][] = [
  ['PLATINUM', 20_000],
  ['GOLD', 5_000],
  ['SILVER', 1_000],
  ['BRONZE', 0],
];

export function tierFor(lifetimePoints: number): Tier {
  return TIER_THRESHOLDS.find(([, min]) => lifetimePoints >= min)![0];
}

/** Points are private: only their owner reads them. */
export function assertOwner(viewer: Viewer, userId: string): void {
  if (viewer.userId !== userId) {
    throw plazaError(ErrorCode.FORBIDDEN, "A user's points are visible to that user only");
  }
}
