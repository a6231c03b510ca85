import { defineSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type MerchantsLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedMerchants } from './seed.ts';
import { ensureSearchIndex } from './service.ts';

export const merchants = defineSubgraph<MerchantsLoaders>(import.meta.url, {
  name: 'merchants',
  resolvers,
  entities,
  createLoaders,
  seed: seedMerchants,
  prepare: ensureSearchIndex,
});
