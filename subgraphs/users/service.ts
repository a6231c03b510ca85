import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { badUserInput, ErrorCode, plazaError } from '../../platform/errors.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import type { EntityManager } from '../kit/orm.ts';
import { requireUserId } from '../kit/viewer.ts';
import type { UsersLoaders } from './loaders.ts';
import { User, UserGrid } from './entities.ts';

/** The signed-in user; anonymous callers have none. */
export function currentUser(viewer: Viewer, loaders: UsersLoaders): Promise<User | null> | null {
  return viewer.userId ? loaders.userById.load(viewer.userId) : null;
}

/** A User as resolvers see it: the row, plus the default grid when the gateway brought it (from placements). */
export type UserValue = User & { defaultGrid?: { id: string }[] | null };

// ---- the nine-square grid ------------------------------------------------------------------

/** Most services a grid holds. */
export const GRID_SIZE = 9;
/** Most removed default services remembered; the oldest are forgotten first. */
export const MAX_HIDDEN = 50;

export interface GridEdits {
  pinned: string[];
  hidden: string[];
  exact: boolean;
}

export interface GridEntry {
  position: number;
  serviceId: string;
  source: 'USER' | 'DEFAULT';
}

const NO_EDITS: GridEdits = { pinned: [], hidden: [], exact: false };

function checkServiceId(argumentName: string, id: string): string {
  if (id.length === 0 || id.length > 64) badUserInput(argumentName, `${argumentName} must be 1-64 characters`);
  return id;
}

function checkPosition(position: number): number {
  if (!Number.isInteger(position) || position < 0 || position >= GRID_SIZE) badUserInput('position', `position must be 0-${GRID_SIZE - 1}`);
  return position;
}

/** The grid a user sees: their own services first, in their order; the default fills the rest; nine at most. */
export function effectiveGrid(edits: GridEdits | null, defaults: readonly string[]): GridEntry[] {
  const { pinned, hidden, exact } = edits ?? NO_EDITS;
  const ids: { serviceId: string; source: GridEntry['source'] }[] = pinned.map((serviceId) => ({ serviceId, source: 'USER' }));
  if (!exact) {
    const taken = new Set([...pinned, ...hidden]);
    for (const serviceId of defaults) {
      if (taken.has(serviceId)) continue;
      taken.add(serviceId);
      ids.push({ serviceId, source: 'DEFAULT' });
    }
  }
  return ids.slice(0, GRID_SIZE).map((entry, position) => ({ position, ...entry }));
}

/** setGrid: exactly these services, in this order. */
export function replaceGrid(serviceIds: readonly string[]): GridEdits {
  if (serviceIds.length > GRID_SIZE) badUserInput('serviceIds', `a grid holds at most ${GRID_SIZE} services`);
  const ids = serviceIds.map((id) => checkServiceId('serviceIds', id));
  if (new Set(ids).size !== ids.length) badUserInput('serviceIds', 'a service appears in a grid once');
  return { pinned: ids, hidden: [], exact: true };
}

/**
 * pinService / moveService: puts a service among the user's own at `position` (their
 * own services come first in the grid, so it shows there), or after their own ones.
 */
export function pinService(edits: GridEdits, serviceId: string, position?: number | null): GridEdits {
  checkServiceId('serviceId', serviceId);
  const pinned = edits.pinned.filter((id) => id !== serviceId);
  if (pinned.length >= GRID_SIZE) badUserInput('serviceId', `the grid is full (${GRID_SIZE}); remove a service first`);
  const at = position == null ? pinned.length : Math.min(checkPosition(position), pinned.length);
  pinned.splice(at, 0, serviceId);
  return { pinned, hidden: edits.hidden.filter((id) => id !== serviceId), exact: edits.exact };
}

/** removeService: gone from the user's own services, and the default never brings it back. */
export function removeService(edits: GridEdits, serviceId: string): GridEdits {
  checkServiceId('serviceId', serviceId);
  const hidden = [...edits.hidden.filter((id) => id !== serviceId), serviceId].slice(-MAX_HIDDEN);
  return { pinned: edits.pinned.filter((id) => id !== serviceId), hidden, exact: edits.exact };
}

/**
 * Applies one edit to the signed-in user's grid. Optimistic: the edit is written only
 * over the version it read, and re-read and re-applied when another edit got there first.
 */
export async function editGrid(em: EntityManager, viewer: Viewer, edit: (edits: GridEdits) => GridEdits): Promise<User> {
  const userId = requireUserId(viewer);
  const user = await em.fork().findOne(User, { id: userId });
  if (!user) throw plazaError(ErrorCode.NOT_FOUND, 'No such user');
  for (let attempt = 0; attempt < 5; attempt++) {
    const fork = em.fork();
    const row = await fork.findOne(UserGrid, { userId });
    const next = edit(row ? { pinned: row.pinned, hidden: row.hidden, exact: row.exact } : NO_EDITS);
    const values = { ...next, updatedAt: new Date() };
    if (!row) {
      try {
        await fork.insert(UserGrid, { userId, ...values, version: 1 });
        return user;
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) continue;
        throw error;
      }
    }
    const updated = await fork.nativeUpdate(UserGrid, { userId, version: row.version }, { ...values, version: row.version + 1 });
    if (updated === 1) return user;
  }
  throw plazaError(ErrorCode.INTERNAL_SERVER_ERROR, 'The grid kept changing; try again');
}
