import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const Merchant = defineEntity({
  name: 'Merchant',
  tableName: 'merchants',
  properties: (p) => ({
    id: p.string().primary(),
    name: p.string(),
    category: p.string().index(),
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
    title: p.string(),
    category: p.string(),
    deepLink: p.string(),
    position: p.integer(),
  }),
});
export type MerchantService = InferEntity<typeof MerchantService>;

export const entities = [Merchant, MerchantService];
