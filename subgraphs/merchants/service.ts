import type { Merchant } from './entities.ts';

/** Merchant ids are short opaque strings; anything else cannot name a merchant. */
export function isPlausibleId(id: string): boolean {
  return id.length > 0 && id.length <= 64;
}

/** The mini-program a merchant's services open in. */
export function miniProgramOf(merchant: Merchant): { appId: string; name: string } {
  return { appId: merchant.appId, name: `${merchant.name} mini-program` };
}
