import { readSchema, type SubgraphDefinition } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type MembershipLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedMembership } from './seed.ts';

export const membership: SubgraphDefinition<MembershipLoaders> = {
  name: 'membership',
  typeDefs: readSchema(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  entities,
  createLoaders,
  seed: seedMembership,
};
