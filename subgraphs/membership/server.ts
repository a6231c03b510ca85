import { defineSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { createLoaders, type MembershipLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedMembership } from './seed.ts';

export const membership = defineSubgraph<MembershipLoaders>(import.meta.url, { name: 'membership', resolvers, entities, createLoaders, seed: seedMembership });
