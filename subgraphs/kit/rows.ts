import { JsonType, type EntitySchema, type FilterQuery, type QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from './orm.ts';

/** A date column as the driver returns it: a Date (PostgreSQL) or epoch milliseconds (SQLite). */
function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined || value instanceof Date) return (value as Date | null) ?? null;
  return new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as number | string));
}

/** A JSON column as the driver returns it: parsed (PostgreSQL) or text (SQLite). */
function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/**
 * Reads an entity's rows as plain objects shaped like the entity: one SELECT through the
 * ORM's query builder (names, dialect and parameter conversion stay the ORM's), but no
 * entity instances, identity map or change tracking. For read-only loaders on hot paths,
 * where building managed entities cost more than the query; anything that writes uses
 * `em.find` and managed entities.
 */
export async function findRows<T extends object>(
  em: EntityManager,
  entity: EntitySchema<T, any>,
  where: FilterQuery<T>,
  options: { orderBy?: QueryOrderMap<T> } = {},
): Promise<T[]> {
  const columns = columnsOf(em, entity);
  const qb = em.createQueryBuilder(entity).select('*').where(where as never);
  if (options.orderBy) qb.orderBy(options.orderBy as never);
  const raw = await qb.execute<Record<string, unknown>[]>('all', false);
  return raw.map((row) => {
    const out: Record<string, unknown> = {};
    for (const { column, name, kind } of columns) {
      const value = row[column];
      out[name] = kind === 'date' ? dateOf(value) : kind === 'json' ? jsonOf(value) : value;
    }
    return out as T;
  });
}

interface Column {
  column: string;
  name: string;
  kind: 'date' | 'json' | 'plain';
}

const columnsByEntity = new WeakMap<object, Column[]>();

/** An entity's columns and the property each fills, read once from the ORM's metadata. */
function columnsOf(em: EntityManager, entity: EntitySchema<any, any>): Column[] {
  const meta = em.getMetadata().get(entity.meta.className);
  let columns = columnsByEntity.get(meta);
  if (!columns) {
    columns = Object.values(meta.props)
      .filter((prop) => prop.fieldNames?.length === 1 && prop.persist !== false)
      .map((prop) => ({
        column: prop.fieldNames[0],
        name: prop.name,
        kind: prop.runtimeType === 'Date' ? 'date' : prop.customType instanceof JsonType || prop.type === 'json' ? 'json' : 'plain',
      }));
    columnsByEntity.set(meta, columns);
  }
  return columns;
}
