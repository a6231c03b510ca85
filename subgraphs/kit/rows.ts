import { JsonType, type EntityMetadata, type EntitySchema, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import { LRUCache } from 'lru-cache';
import type { EntityManager } from './orm.ts';

/**
 * Reads an entity's rows as plain objects shaped like the entity: one SELECT through the
 * ORM's query builder (names, dialect and parameter conversion stay the ORM's), but no
 * entity instances, identity map or change tracking. For read-only loaders on hot paths,
 * where building managed entities cost more than the query; anything that writes uses
 * `em.find` and managed entities.
 *
 * The SQL of each query shape is built once (see EntityFacts); later queries of that
 * shape bind their values to it.
 */
export async function findRows<T extends object>(
  em: EntityManager,
  entity: EntitySchema<T, any>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T> } = {},
): Promise<T[]> {
  const facts = factsOf(em, entity);
  const values: unknown[] = [];
  const shape = shapeOf(where, values);
  const key = shape === null ? null : `${shape} order ${JSON.stringify(options.orderBy ?? null)}`;
  const known = key === null ? null : facts.sqlByShape.get(key);
  let raw: Record<string, unknown>[];
  if (known) {
    // bound, not written into the SQL as the ORM's execute does: the SQL text stays the
    // same for every filter of the shape, so SQLite reuses its prepared statement (see
    // orm.ts); on PostgreSQL the gain is the query build skipped
    raw = await boundRows(em, known, values);
  } else {
    const qb = em.createQueryBuilder(entity).select('*').where(where as never);
    if (options.orderBy) qb.orderBy(options.orderBy as never);
    if (key !== null && known === undefined) remember(facts.sqlByShape, key, qb.getKnexQuery().toSQL(), values);
    raw = await qb.execute<Record<string, unknown>[]>('all', false);
  }
  // the ORM's own mapping (column names to properties, dates); JSON text (SQLite) is parsed here
  const comparator = em.getComparator();
  return raw.map((row) => {
    const out = comparator.mapResult(facts.meta.className, row) as Record<string, unknown>;
    for (const name of facts.jsonProperties) if (typeof out[name] === 'string') out[name] = JSON.parse(out[name] as string);
    return out as T;
  });
}

/**
 * The rows of `sql` with `values` bound to its `?`s (in the manager's transaction, if any),
 * as the dialect returns them: the SQL text stays the same whatever the values, so SQLite
 * reuses its prepared statement (orm.ts), where the ORM's `execute` writes values into it.
 */
export async function boundRows(em: EntityManager, sql: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> {
  const query = em.getConnection('read').getKnex().raw(sql, values as never[]);
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  const result = await query;
  return Array.isArray(result) ? result : result.rows;
}

/** Query shapes remembered per entity. */
const SHAPES_PER_ENTITY = 512;

/** What findRows needs of an entity, worked out once per metadata. */
interface EntityFacts {
  meta: EntityMetadata;
  /** Properties stored as JSON. */
  jsonProperties: string[];
  /**
   * The SQL the query builder made for each query shape, or false when the shape cannot be
   * reused. A shape is the filter with its values taken out (keys, operators, list lengths
   * and order). Building a query costs about as much as SQLite running it, and a loader
   * asks the same shapes over and over. At most SHAPES_PER_ENTITY shapes, the least
   * recently used forgotten first.
   */
  sqlByShape: LRUCache<string, string | false>;
}

const factsByMeta = new WeakMap<object, EntityFacts>();

function factsOf(em: EntityManager, entity: EntitySchema<any, any>): EntityFacts {
  const meta = em.getMetadata().get(entity.meta.className);
  let facts = factsByMeta.get(meta);
  if (!facts) {
    const jsonProperties = Object.values(meta.props)
      .filter((prop) => prop.customType instanceof JsonType || prop.type === 'json')
      .map((prop) => prop.name as string);
    factsByMeta.set(meta, (facts = { meta, jsonProperties, sqlByShape: new LRUCache({ max: SHAPES_PER_ENTITY }) }));
  }
  return facts;
}

/**
 * Files the builder's SQL under its shape, but only when its parameters are exactly the
 * filter's values in the order shapeOf took them out: then binding a later filter's
 * values to that SQL is what the builder would have done. Otherwise (the ORM converted,
 * added or reordered a value) the shape is filed as not reusable and always built.
 */
function remember(shapes: LRUCache<string, string | false>, key: string, built: { sql: string; bindings: readonly unknown[] }, values: unknown[]): void {
  const same =
    built.bindings.length === values.length &&
    built.bindings.every((b, i) => b === values[i] || (b instanceof Date && values[i] instanceof Date && b.getTime() === values[i].getTime()));
  shapes.set(key, same ? built.sql : false);
}

/**
 * A filter's shape, pushing its values (scalars, dates, list items) onto `values` in the
 * order they appear; null when the filter holds anything else (a subquery, an entity).
 */
function shapeOf(filter: unknown, values: unknown[]): string | null {
  if (filter === null) return 'null';
  if (typeof filter === 'string' || typeof filter === 'number' || typeof filter === 'boolean' || filter instanceof Date) {
    values.push(filter);
    return '?';
  }
  if (Array.isArray(filter)) {
    const parts: string[] = [];
    for (const item of filter) {
      const part = shapeOf(item, values);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (typeof filter === 'object' && Object.getPrototypeOf(filter) === Object.prototype) {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
      const part = shapeOf(value, values);
      if (part === null) return null;
      parts.push(`${JSON.stringify(key)}:${part}`);
    }
    return `{${parts.join(',')}}`;
  }
  return null;
}
