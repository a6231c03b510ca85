import fs from 'node:fs';
import path from 'node:path';
import { BoundedCache, ENTRY_BYTES, reportCache, stringBytes, type CacheFigures } from '../../platform/caches.ts';
import { manifestKey, NAME_PATTERN, OTHER_USES, USAGE_ROW_BUDGET, usageKey, usageRow, type DocumentStore, type ManifestStore, type StoredManifest, type UsageCounter, type UsageRow, type UseOutcome } from './types.ts';

/** Heap one APQ entry takes: its id, its text and the cache's own share. */
export function apqEntryBytes(id: string, document: string): number {
  return ENTRY_BYTES + stringBytes(id) + stringBytes(document);
}

/**
 * Query texts in memory, least recently used dropped first once their total size passes
 * `maxBytes` (see apqEntryBytes); reported in /metrics as `apq`.
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly documents: BoundedCache<string, string>;

  constructor(readonly maxBytes: number) {
    this.documents = new BoundedCache('apq', { maxBytes }, apqEntryBytes);
  }

  /** Bytes held now. */
  get size(): number {
    return this.documents.bytes();
  }

  /** Texts held now. */
  get entries(): number {
    return this.documents.entries();
  }

  async get(id: string): Promise<string | undefined> {
    return this.documents.get(id);
  }

  async set(id: string, document: string): Promise<void> {
    this.documents.set(id, document);
  }

  async close(): Promise<void> {
    this.documents.close();
  }
}

/**
 * Manifests as files `<client>@<appVersion>.json` in a folder the gateway watches;
 * dropping a file in (or `npm run pq -- publish`) registers it.
 */
export class FolderManifestStore implements ManifestStore {
  constructor(readonly dir: string) {}

  async list(): Promise<StoredManifest[]> {
    if (!fs.existsSync(this.dir)) return [];
    const manifests: StoredManifest[] = [];
    for (const file of fs.readdirSync(this.dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const stem = file.slice(0, -'.json'.length);
      const at = stem.lastIndexOf('@');
      const client = at > 0 ? stem.slice(0, at) : stem;
      const appVersion = at > 0 ? stem.slice(at + 1) : 'unversioned';
      manifests.push({ client, appVersion, json: fs.readFileSync(path.join(this.dir, file), 'utf8') });
    }
    return manifests;
  }

  async publish(manifest: StoredManifest): Promise<void> {
    if (!NAME_PATTERN.test(manifest.client) || !NAME_PATTERN.test(manifest.appVersion)) {
      throw new Error(`client and app version must match ${NAME_PATTERN}`);
    }
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `${manifestKey(manifest.client, manifest.appVersion)}.json`);
    // Write then rename, so a watching gateway never reads half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, manifest.json);
    fs.renameSync(temporary, file);
  }

  async retire(client: string, appVersion: string): Promise<boolean> {
    const file = path.join(this.dir, `${manifestKey(client, appVersion)}.json`);
    if (!fs.existsSync(file)) return false;
    fs.rmSync(file);
    return true;
  }

  watch(onChange: () => void): () => Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    let timer: NodeJS.Timeout | undefined;
    const watcher = fs.watch(this.dir, (_event, file) => {
      if (file && !String(file).endsWith('.json')) return;
      // Editors and renames fire several events: reload once they settle.
      clearTimeout(timer);
      timer = setTimeout(onChange, 50);
    });
    return async () => {
      clearTimeout(timer);
      watcher.close();
    };
  }
}

/**
 * A map kept in this process, at most `maxEntries` keys, reported in /metrics under `name`:
 * `held` is the heap its owner estimates it takes (what entries() and bytes() report).
 */
export abstract class ReportedMap<Value> implements CacheFigures {
  readonly maxBytes = null;
  protected readonly rows = new Map<string, Value>();
  protected held = 0;
  private readonly unreport: () => void;

  constructor(
    readonly name: string,
    readonly maxEntries: number,
  ) {
    this.unreport = reportCache(this);
  }

  entries(): number {
    return this.rows.size;
  }

  bytes(): number {
    return this.held;
  }

  async close(): Promise<void> {
    this.unreport();
  }
}

/**
 * Uses counted in this process, at most `maxEntries` distinct (client, app version, operation,
 * outcome) rows: past that, uses of a row not counted yet add to the `(other)` row of their
 * outcome, so totals stay right and a row already counted is never forgotten (an app version
 * retired on "no recent uses" must not have lost its count). Reported in /metrics as `usage`.
 */
export class MemoryUsageCounter extends ReportedMap<number> implements UsageCounter {
  constructor(maxEntries: number = USAGE_ROW_BUDGET.memory) {
    super('usage', maxEntries);
  }

  add(client: string, appVersion: string, operationId: string, outcome: UseOutcome): void {
    let key = usageKey(client, appVersion, operationId, outcome);
    let count = this.rows.get(key);
    if (count === undefined && this.rows.size >= this.maxEntries) {
      key = usageKey(OTHER_USES, OTHER_USES, OTHER_USES, outcome);
      count = this.rows.get(key);
    }
    if (count === undefined) this.held += ENTRY_BYTES + stringBytes(key);
    this.rows.set(key, (count ?? 0) + 1);
  }

  async report(): Promise<UsageRow[]> {
    return [...this.rows].map(([key, count]) => usageRow(key, count));
  }
}
