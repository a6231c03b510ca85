import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const Placement = defineEntity({
  name: 'Placement',
  tableName: 'placements',
  properties: (p) => ({
    id: p.string().primary(),
    slot: p.string(),
    merchantId: p.string(),
    serviceId: p.string(),
    offerId: p.string().nullable(),
    city: p.string(),
    category: p.string(),
    title: p.string(),
    subtitle: p.string(),
    imageUrl: p.string(),
    priority: p.integer(),
    status: p.string(),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
  }),
  // the homepage's access path: approved placements of one city
  indexes: [{ properties: ['city', 'status', 'slot'] }],
});
export type Placement = InferEntity<typeof Placement>;

export const entities = [Placement];
