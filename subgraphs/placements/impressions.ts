/**
 * Impressions: how many times each placement was served in a feed, per UTC day. Serving
 * a feed only adds to counts in memory; they reach the database in batches (one upsert
 * per flush, every second or when many placements wait), never one write per request.
 */
import { dayOf } from '../kit/figures.ts';
import { outsideStatementScope, type EntityManager } from '../kit/orm.ts';

export interface ImpressionOptions {
  /** Count impressions at all. `PLAZA_COUNT_IMPRESSIONS`; default true. */
  enabled: boolean;
  /** How often waiting counts are written, in milliseconds. Default 1000. */
  flushMs: number;
  /** Distinct (placement, day) counts held before a write is started at once. Default 5000. */
  maxPending: number;
}

export const IMPRESSION_DEFAULTS: ImpressionOptions = { enabled: true, flushMs: 1000, maxPending: 5000 };

/** Rows written per statement. */
const ROWS_PER_STATEMENT = 500;

export class ImpressionCounter {
  private pending = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly options: ImpressionOptions;

  constructor(
    private readonly em: EntityManager,
    options: Partial<ImpressionOptions> = {},
  ) {
    this.options = { ...IMPRESSION_DEFAULTS, ...options };
    if (this.options.enabled) this.timer = setInterval(() => void this.flush(), this.options.flushMs).unref();
  }

  /** Counts one impression of each placement served at `at`. */
  served(placementIds: readonly string[], at: Date): void {
    if (!this.options.enabled || placementIds.length === 0) return;
    const day = dayOf(at);
    for (const id of placementIds) {
      const key = `${id}\n${day}`;
      this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    }
    if (this.pending.size >= this.options.maxPending) void this.flush();
  }

  /** Counts not yet written. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Writes every waiting count; resolves once they (and any write before) are in the database. */
  flush(): Promise<void> {
    if (this.pending.size === 0) return this.writing;
    const batch = this.pending;
    this.pending = new Map();
    // writes go one after another, outside any request's statement count
    this.writing = this.writing.then(() => outsideStatementScope(() => this.write(batch))).catch(() => this.restore(batch));
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async write(batch: Map<string, number>): Promise<void> {
    const rows = [...batch].map(([key, count]) => [...key.split('\n'), count] as [string, string, number]);
    const connection = this.em.getConnection();
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const part = rows.slice(start, start + ROWS_PER_STATEMENT);
      await connection.execute(
        `insert into placement_impressions (placement_id, day, impressions) values ${part.map(() => '(?, ?, ?)').join(', ')}
         on conflict (placement_id, day) do update set impressions = placement_impressions.impressions + excluded.impressions`,
        part.flat(),
      );
    }
  }

  /** A failed write's counts wait for the next flush, as far as the bound allows (the rest are lost, never the process). */
  private restore(batch: Map<string, number>): void {
    for (const [key, count] of batch) {
      if (this.pending.size >= this.options.maxPending && !this.pending.has(key)) return;
      this.pending.set(key, (this.pending.get(key) ?? 0) + count);
    }
  }
}
