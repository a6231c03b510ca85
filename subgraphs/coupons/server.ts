import { defineSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type CouponsLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedCoupons } from './seed.ts';

export const coupons = defineSubgraph<CouponsLoaders>(import.meta.url, { name: 'coupons', resolvers, entities, createLoaders, seed: seedCoupons });
