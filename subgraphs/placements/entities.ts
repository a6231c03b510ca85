import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { validity } from '../kit/properties.ts';

/** Targeting a placement at every city is stored as this one city. */
export const EVERY_CITY = '*';

export const Placement = defineEntity({
  name: 'Placement',
  tableName: 'placements',
  properties: (p) => ({
    id: p.string().primary(),
    slot: p.string(),
    merchantId: p.string().index(),
    serviceId: p.string(),
    offerId: p.string().nullable(),
    /** The placed service's category, as the merchants subgraph answered at submission; audience targeting is `categories`. */
    category: p.string(),
    /** Audience categories (JSON array of strings); empty for everyone. */
    categories: p.json<string[]>(),
    title: p.string(),
    subtitle: p.string(),
    imageUrl: p.string(),
    priority: p.integer(),
    /** PENDING, APPROVED or REJECTED. */
    status: p.string(),
    reviewReason: p.string().nullable(),
    ...validity(),
    submittedAt: p.datetime(),
    /** The submitting merchant's retry key; unique per merchant. */
    idempotencyKey: p.string().nullable(),
  }),
  uniques: [{ properties: ['merchantId', 'idempotencyKey'] }],
  indexes: [{ properties: ['status', 'submittedAt'] }],
});
export type Placement = InferEntity<typeof Placement>;

/** One city a placement targets (EVERY_CITY for all): the homepage's access path. */
export const PlacementCity = defineEntity({
  name: 'PlacementCity',
  tableName: 'placement_cities',
  properties: (p) => ({
    city: p.string().primary(),
    placementId: p.string().primary(),
  }),
  // a placement's targeted cities (Placement.targeting): the primary key leads with city
  indexes: [{ properties: ['placementId'] }],
});
export type PlacementCity = InferEntity<typeof PlacementCity>;

/** How many times a placement was served in a feed on one UTC day (written in batches, see impressions.ts). */
export const PlacementImpression = defineEntity({
  name: 'PlacementImpression',
  tableName: 'placement_impressions',
  properties: (p) => ({
    placementId: p.string().primary(),
    /** YYYY-MM-DD, UTC. */
    day: p.string().primary(),
    impressions: p.integer(),
  }),
});
export type PlacementImpression = InferEntity<typeof PlacementImpression>;

export const entities = [Placement, PlacementCity, PlacementImpression];
