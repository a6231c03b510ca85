import DataLoader from 'dataloader';
import type { EntitySchema, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from './orm.ts';
import { findRows } from './rows.ts';

/**
 * A loader for rows found by a unique key: one query for the whole batch, answers in
 * key order, null for a key with no row.
 */
export function byKey<K, V>(fetch: (keys: K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch([...keys]);
    const found = new Map<K, V>();
    for (const row of rows) found.set(keyOf(row), row);
    return keys.map((key) => found.get(key) ?? null);
  });
}

/**
 * A loader for the rows belonging to each parent (offers of a merchant, coupons of a
 * user): one query for the whole batch, each parent's rows in the query's order.
 */
export function groupedBy<K, V>(fetch: (keys: K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const groups = groupBy(await fetch([...keys]), keyOf);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/**
 * groupedBy over one column: the rows of `entity` whose `column` is each key asked for
 * (e.g. the services of each merchant), read with findRows, in `orderBy`'s order.
 */
export function rowsGroupedBy<T extends object, Column extends keyof T & string>(
  em: EntityManager,
  entity: EntitySchema<T, any>,
  column: Column,
  orderBy?: QueryOrderMap<T>,
): DataLoader<T[Column], T[]> {
  return groupedBy((keys: T[Column][]) => findRows(em, entity, { [column]: { $in: keys } } as FilterQuery<T>, orderBy ? { orderBy } : {}), (row) => row[column]);
}

/** Rows grouped by a key, each group in the rows' order (optionally mapped to a value). */
export function groupBy<K, V, T = V>(rows: Iterable<V>, keyOf: (row: V) => K, valueOf: (row: V) => T = (row) => row as unknown as T): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(valueOf(row));
    else groups.set(key, [valueOf(row)]);
  }
  return groups;
}
