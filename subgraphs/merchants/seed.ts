import type { SeedScale } from '../../platform/config.ts';
import type { EntityManager } from '../kit/orm.ts';
import { CITIES, seedMerchant, seedServices, WORLD_SIZES } from '../kit/world.ts';
import { Merchant, MerchantService, MiniProgram, Store } from './entities.ts';

const BATCH = 2000;

/** A merchant's stores: one in its home city; every third merchant also one in the next city. */
export function seedStores(i: number): Store[] {
  const merchant = seedMerchant(i);
  const home = CITIES.indexOf(merchant.city as (typeof CITIES)[number]);
  const cities = i % 3 === 0 ? [merchant.city, CITIES[(home + 1) % CITIES.length]] : [merchant.city];
  return cities.map((city, k) => ({
    id: `st${i + 1}-${k + 1}`,
    merchantId: merchant.id,
    name: `${merchant.name} · ${city}${k === 0 ? '' : ' branch'}`,
    city,
    address: `${(i * 7 + k * 3) % 200 + 1} ${['Nanjing', 'Huaihai', 'Zhongshan', 'Renmin', 'Jiefang'][(i + k) % 5]} Road, ${city}`,
  }));
}

export function seedMiniProgram(i: number): MiniProgram {
  const merchant = seedMerchant(i);
  return { appId: merchant.appId, merchantId: merchant.id, name: `${merchant.name} mini-program`, homeLink: `plaza://mini/${merchant.appId}` };
}

export async function seedMerchants(em: EntityManager, scale: SeedScale): Promise<void> {
  const size = WORLD_SIZES[scale];
  for (let start = 0; start < size.merchants; start += BATCH) {
    const indexes = Array.from({ length: Math.min(BATCH, size.merchants - start) }, (_, k) => start + k);
    await em.insertMany(Merchant, indexes.map((i) => seedMerchant(i)));
    await em.insertMany(MerchantService, indexes.flatMap((i) => seedServices(i, size)));
    await em.insertMany(Store, indexes.flatMap((i) => seedStores(i)));
    await em.insertMany(MiniProgram, indexes.map((i) => seedMiniProgram(i)));
  }
}
