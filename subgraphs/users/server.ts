import { defineSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type UsersLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedUsers } from './seed.ts';

export const users = defineSubgraph<UsersLoaders>(import.meta.url, { name: 'users', resolvers, entities, createLoaders, seed: seedUsers });
