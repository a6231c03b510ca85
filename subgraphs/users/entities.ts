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

export const entities = [User];
