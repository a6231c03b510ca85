import { readSchema, type SubgraphDefinition } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type MerchantsLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedMerchants } from './seed.ts';
import { ensureSearchIndex } from './service.ts';

export const merchants: SubgraphDefinition<MerchantsLoaders> = {
  name: 'merchants',
  typeDefs: readSchema(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  entities,
  createLoaders,
  seed: seedMerchants,
  prepare: ensureSearchIndex,
};
