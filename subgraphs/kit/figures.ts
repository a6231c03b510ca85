/** Daily figures a merchant sees about its own placements and offers (the console's charts). */
import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import { requireUserId } from './viewer.ts';

/** The longest window of daily figures a merchant may ask for. */
export const MAX_FIGURE_DAYS = 90;
const DAY = 86_400_000;

/** The UTC day of an instant, as figures name it (YYYY-MM-DD). */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The last `days` UTC days up to the day of `now`, oldest first. */
export function figureDays(days: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, k) => dayOf(new Date(today - (days - 1 - k) * DAY)));
}

/** The first instant of the longest window (for reading every figure a request may show at once). */
export function figuresSince(now: Date): Date {
  return new Date(`${figureDays(MAX_FIGURE_DAYS, now)[0]}T00:00:00.000Z`);
}

/** A window of daily figures: 1 to MAX_FIGURE_DAYS days. */
export function checkDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_FIGURE_DAYS) badUserInput('days', `days must be between 1 and ${MAX_FIGURE_DAYS}`);
  return days;
}

/** Counts per day over a window, zero on days without any; `days` is checked. */
export function dailyCounts(instantsOrCounts: Iterable<[string, number]>, days: number, now: Date): { day: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const [day, n] of instantsOrCounts) counts.set(day, (counts.get(day) ?? 0) + n);
  return figureDays(checkDays(days), now).map((day) => ({ day, count: counts.get(day) ?? 0 }));
}

/** The scope a caller needs to act for, or see the figures of, a merchant. */
export const merchantScope = (merchantId: string) => `merchant:${merchantId}`;

/** Refuses anonymous callers (UNAUTHENTICATED) and callers without the merchant's scope (FORBIDDEN). */
export function requireMerchant(viewer: Viewer, merchantId: string, what: string): void {
  requireUserId(viewer);
  const scope = merchantScope(merchantId);
  if (!viewer.scopes.includes(scope)) throw plazaError(ErrorCode.FORBIDDEN, `${what} needs the scope ${scope}`);
}
