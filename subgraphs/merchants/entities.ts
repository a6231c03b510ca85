import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { bilingual } from '../kit/properties.ts';

export const Merchant = defineEntity({
  name: 'Merchant',
  tableName: 'merchants',
  properties: (p) => ({
    id: p.string().primary(),
    ...bilingual('name'),
    category: p.string().index(),
    /** Home city (where the merchant is registered); its stores may be in more. */
    city: p.string().index(),
    popularity: p.integer(),
    appId: p.string().unique(),
  }),
});
export type Merchant = InferEntity<typeof Merchant>;

export const MerchantService = defineEntity({
  name: 'MerchantService',
  tableName: 'merchant_services',
  properties: (p) => ({
    id: p.string().primary(),
    merchantId: p.string().index(),
    ...bilingual('title'),
    category: p.string(),
    deepLink: p.string(),
    position: p.integer(),
  }),
});
export type MerchantService = InferEntity<typeof MerchantService>;

/** A merchant's physical store; search by city finds merchants with a store there. */
export const Store = defineEntity({
  name: 'Store',
  tableName: 'stores',
  properties: (p) => ({
    id: p.string().primary(),
    merchantId: p.string().index(),
    name: p.string(),
    city: p.string(),
    address: p.string(),
  }),
  indexes: [{ properties: ['city', 'merchantId'] }],
});
export type Store = InferEntity<typeof Store>;

/** A merchant's mini-program: the app-in-app its services open in. */
export const MiniProgram = defineEntity({
  name: 'MiniProgram',
  tableName: 'mini_programs',
  properties: (p) => ({
    appId: p.string().primary(),
    merchantId: p.string().unique(),
    name: p.string(),
    /** Deep link to the mini-program's home page. */
    homeLink: p.string(),
  }),
});
export type MiniProgram = InferEntity<typeof MiniProgram>;

/**
 * What search compares, one row per merchant: its names, and its names, category and
 * service titles as keywords, each as words (NFKC, lower case) between single spaces, with a
 * space before the first, so a word prefix is a substring starting with a space. SQLite
 * indexes it with an FTS5 trigram table, PostgreSQL with pg_trgm GIN indexes (migrations).
 */
export const MerchantSearchText = defineEntity({
  name: 'MerchantSearchText',
  tableName: 'merchant_search_text',
  properties: (p) => ({
    merchantId: p.string().primary(),
    name: p.text(),
    keywords: p.text(),
  }),
});
export type MerchantSearchText = InferEntity<typeof MerchantSearchText>;

export const entities = [Merchant, MerchantService, Store, MiniProgram, MerchantSearchText];
