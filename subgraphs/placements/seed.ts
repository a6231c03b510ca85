import type { SeedScale } from '../../platform/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { CATEGORY_NAMES_ZH, hash, SEED_EPOCH, SEED_HORIZON, seedBrand, seedMerchant, seedPlacement, seedServices, WORLD_SIZES, type WorldSize } from '../kit/world.ts';
import { EVERY_CITY, Placement, PlacementCity } from './entities.ts';
import { SLOTS } from './service.ts';

const BATCH = 1000;
const DAY = 86_400_000;
/** Slots the seed places nationwide in; grid, banners and cards stay local. */
const NATIONWIDE_SLOTS: readonly string[] = ['SEARCH_HINT', 'NEWS', 'BASEMENT', 'PAYMENT_SUCCESS'];

/** The line under a seeded placement's title, by slot (what the app shows, in Chinese). */
const SLOT_TAGLINES: Record<string, string> = {
  SEARCH_HINT: '大家都在搜',
  GRID: '常用服务',
  NEWS: '本地资讯',
  BANNER: '限时活动',
  CARD: '为你推荐',
  BASEMENT: '更多好店',
  PAYMENT_SUCCESS: '下次再来',
};

/** One seeded placement and the cities it targets. */
export interface SeedPlacementRow {
  placement: Placement;
  cities: string[];
}

/**
 * A merchant's seeded placements, a pure function of its index:
 * - `p<n>`: its first service in GRID, CARD or BANNER in its own city, approved (the walking skeleton's);
 * - `p<n>-b`: its second service in one of the seven slots (by index), in its own city or, for every
 *   25th merchant placing in a search hint, news, basement or payment-success slot, in every city; every 4th targets its own category's audience. Some are not servable,
 *   at top priority so a test would notice them: index % 15 = 3 or 8 PENDING, 4 REJECTED, 9 expired,
 *   14 not started yet;
 * - `p<n>-c`: every 6th merchant places its third service in the same slot as `p<n>`, so ranking must
 *   keep one merchant at most once per section.
 */
export function seedPlacementRows(i: number, size: WorldSize): SeedPlacementRow[] {
  const merchant = seedMerchant(i);
  const services = seedServices(i, size);
  const { city: _city, ...primary } = seedPlacement(i, size);
  const rows: SeedPlacementRow[] = [
    {
      placement: { ...primary, offerId: null, categories: [], status: 'APPROVED', reviewReason: null, submittedAt: primary.startsAt, idempotencyKey: null },
      cities: [merchant.city],
    },
  ];
  const second = services[1 % services.length];
  const kind = i % 15;
  const unservable = kind === 3 || kind === 4 || kind === 8 || kind === 9 || kind === 14;
  const slot = SLOTS[i % SLOTS.length];
  rows.push({
    placement: {
      id: `p${i + 1}-b`,
      slot,
      merchantId: merchant.id,
      serviceId: second.id,
      offerId: slot === 'PAYMENT_SUCCESS' || slot === 'BANNER' ? `o${i + 1}-1` : null,
      // a placement's category is its service's, as a submission takes it
      category: second.category,
      categories: i % 4 === 0 ? [merchant.category] : [],
      title: slot === 'NEWS' ? `${seedBrand(i).zh}上新：${second.title}` : `${seedBrand(i).zh}：${second.title}`,
      subtitle: `${SLOT_TAGLINES[slot]} · ${CATEGORY_NAMES_ZH[merchant.category as keyof typeof CATEGORY_NAMES_ZH]}`,
      imageUrl: `/img/${merchant.category}-${(i % 3) + 1}.png`,
      priority: unservable ? 100 : hash('prio-b', i) % 100,
      status: kind === 3 || kind === 8 ? 'PENDING' : kind === 4 ? 'REJECTED' : 'APPROVED',
      reviewReason: kind === 4 ? 'The image shows another brand' : null,
      startsAt: new Date(kind === 14 ? SEED_HORIZON - 30 * DAY : SEED_EPOCH - 30 * DAY),
      endsAt: new Date(kind === 9 ? SEED_EPOCH - DAY : SEED_HORIZON),
      submittedAt: new Date(SEED_EPOCH - 31 * DAY),
      idempotencyKey: null,
    },
    cities: i % 25 === 0 && NATIONWIDE_SLOTS.includes(slot) ? [EVERY_CITY] : [merchant.city],
  });
  if (i % 6 === 0) {
    const third = services[2 % services.length];
    rows.push({
      placement: {
        ...rows[0].placement,
        id: `p${i + 1}-c`,
        serviceId: third.id,
        category: third.category,
        title: `${seedBrand(i).zh}：${third.title}`,
        priority: hash('prio-c', i) % 100,
      },
      cities: [merchant.city],
    });
  }
  return rows;
}

export async function seedPlacements(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => seedPlacementRows(start + k, size)).flat();
    await em.insertMany(Placement, rows.map((row) => row.placement));
    await em.insertMany(PlacementCity, rows.flatMap((row) => row.cities.map((city) => ({ city, placementId: row.placement.id }))));
  }
}
