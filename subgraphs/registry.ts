import type { SubgraphName } from '../platform/config.ts';
import type { SubgraphDefinition } from './kit/server.ts';

/** Loads a subgraph's definition by name (lazily, so a process pays only for its own). */
export async function definitionOf(name: SubgraphName): Promise<SubgraphDefinition<any>> {
  switch (name) {
    case 'users':
      return (await import('./users/server.ts')).users;
    case 'merchants':
      return (await import('./merchants/server.ts')).merchants;
    case 'coupons':
      return (await import('./coupons/server.ts')).coupons;
    case 'membership':
      return (await import('./membership/server.ts')).membership;
    case 'placements':
      return (await import('./placements/server.ts')).placements;
  }
}
