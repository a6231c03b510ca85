import { defineSubgraph } from '../kit/server.ts';
import { entities } from './entities.ts';
import { ImpressionCounter } from './impressions.ts';
import { CandidateCache, createLoaders, PlacementsShared, type PlacementsLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';
import { seedPlacements } from './seed.ts';

export const placements = defineSubgraph<PlacementsLoaders>(import.meta.url, {
  name: 'placements',
  resolvers,
  entities,
  createLoaders,
  createShared: (em, config) => new PlacementsShared(new CandidateCache(), new ImpressionCounter(em, { enabled: config.countImpressions ?? true })),
  seed: seedPlacements,
});
