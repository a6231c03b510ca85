import { readSchema, type SubgraphDefinition } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type CouponsLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedCoupons } from './seed.ts';

export const coupons: SubgraphDefinition<CouponsLoaders> = {
  name: 'coupons',
  typeDefs: readSchema(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  entities,
  createLoaders,
  seed: seedCoupons,
};
