import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: (p) => ({
    id: p.string().primary(),
    nickname: p.string(),
    city: p.string().index(),
  }),
});
export type User = InferEntity<typeof User>;

/**
 * A user's own edits to their service grid; a user without a row sees the default.
 * The grid shown is `pinned`, then (unless `exact`) the default's services that are
 * neither pinned nor `hidden`, nine at most.
 */
export const UserGrid = defineEntity({
  name: 'UserGrid',
  tableName: 'user_grids',
  properties: (p) => ({
    userId: p.string().primary(),
    /** Service ids the user placed, in grid order (JSON array, at most nine). */
    pinned: p.json<string[]>(),
    /** Default services the user removed (JSON array), so the default never brings them back. */
    hidden: p.json<string[]>(),
    /** Set by setGrid: the grid is exactly `pinned`, with no default filling it up. */
    exact: p.boolean(),
    /** Bumped by every edit; an edit applies only to the version it read (optimistic concurrency). */
    version: p.integer(),
    updatedAt: p.datetime(),
  }),
});
export type UserGrid = InferEntity<typeof UserGrid>;

export const entities = [User, UserGrid];
