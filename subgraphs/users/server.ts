import { readSchema, type SubgraphDefinition } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type UsersLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedUsers } from './seed.ts';

export const users: SubgraphDefinition<UsersLoaders> = {
  name: 'users',
  typeDefs: readSchema(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  entities,
  createLoaders,
  seed: seedUsers,
};
