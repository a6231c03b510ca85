import { ErrorCode, plazaError } from '../kit/errors.ts';
import type { Placement } from './entities.ts';

/** How many items each homepage section shows. */
export const SECTION_SIZES = { GRID: 9, BANNER: 5, CARD: 10 } as const;
export type Slot = keyof typeof SECTION_SIZES;

export function checkCity(city: string): string {
  const trimmed = city.trim();
  if (trimmed.length === 0 || trimmed.length > 64) {
    throw plazaError(ErrorCode.BAD_USER_INPUT, 'city must be 1-64 characters', { extensions: { argumentName: 'city' } });
  }
  return trimmed;
}

/** Higher priority first; equal priorities keep a stable order by id. */
export function byRank(a: Placement, b: Placement): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The homepage of one city, section by section. */
export interface HomepageSections {
  city: string;
  grid: Placement[];
  banners: Placement[];
  cards: Placement[];
}

/**
 * Splits a city's servable placements into homepage sections: ranked, at most one
 * placement per merchant in a section, cut to the section's size.
 */
export function homepageSections(city: string, placements: Placement[]): HomepageSections {
  const sections: Record<Slot, Placement[]> = { GRID: [], BANNER: [], CARD: [] };
  const seen: Record<Slot, Set<string>> = { GRID: new Set(), BANNER: new Set(), CARD: new Set() };
  for (const placement of [...placements].sort(byRank)) {
    const slot = placement.slot as Slot;
    const section = sections[slot];
    if (!section || section.length >= SECTION_SIZES[slot] || seen[slot].has(placement.merchantId)) continue;
    seen[slot].add(placement.merchantId);
    section.push(placement);
  }
  return { city, grid: sections.GRID, banners: sections.BANNER, cards: sections.CARD };
}
