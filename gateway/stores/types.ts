/**
 * Storage behind persisted queries: a tiny interface each, with an in-memory and a Redis
 * implementation side by side (memory.ts, redis.ts), so the plugin never knows which.
 */

/** Query texts by SHA-256 id (the automatic persisted query cache). */
export interface DocumentStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, document: string): Promise<void>;
  close?(): Promise<void>;
}

/** One published manifest, as stored: the client and app version it belongs to, and its JSON text. */
export interface StoredManifest {
  client: string;
  appVersion: string;
  json: string;
}

/** Published manifests (trusted documents), one per client and app version. */
export interface ManifestStore {
  list(): Promise<StoredManifest[]>;
  publish(manifest: StoredManifest): Promise<void>;
  /** Removes one client's app version; false when it was not published. */
  retire(client: string, appVersion: string): Promise<boolean>;
  /** Calls `onChange` when another process publishes or retires; returns the unsubscribe. */
  watch(onChange: () => void): Promise<() => Promise<void>> | (() => Promise<void>);
  close?(): Promise<void>;
}

/** Where an operation came from, as counted. */
export type UseOutcome = 'registered' | 'apq' | 'unregistered';

export interface UsageRow {
  client: string;
  appVersion: string;
  /** Operation id (SHA-256 of its body; for unregistered text, of its normalized form). */
  operationId: string;
  outcome: UseOutcome;
  count: number;
}

/** Uses per client, app version and operation id, so old versions can be retired safely. */
export interface UsageCounter {
  add(client: string, appVersion: string, operationId: string, outcome: UseOutcome): void;
  report(): Promise<UsageRow[]>;
  close?(): Promise<void>;
}

/** Client, app version and operation id of the uses counted once a counter holds its budget of distinct rows. */
export const OTHER_USES = '(other)';

/** Distinct rows a use counter keeps in memory, and in Redis; later rows count under OTHER_USES. */
export const USAGE_ROW_BUDGET = { memory: 10_000, redis: 100_000 } as const;

/** Field separator of usage keys: none of the parts may contain it. */
export const USAGE_SEPARATOR = '\t';

export function usageKey(client: string, appVersion: string, operationId: string, outcome: UseOutcome): string {
  return [client, appVersion, operationId, outcome].map((p) => p.replaceAll(USAGE_SEPARATOR, ' ')).join(USAGE_SEPARATOR);
}

export function usageRow(key: string, count: number): UsageRow {
  const [client, appVersion, operationId, outcome] = key.split(USAGE_SEPARATOR);
  return { client, appVersion, operationId, outcome: outcome as UseOutcome, count };
}

/** Manifest names on disk and in Redis: `<client>@<appVersion>`. */
export function manifestKey(client: string, appVersion: string): string {
  return `${client}@${appVersion}`;
}

/** Client names and app versions: letters, digits and `._-+` only, so keys and file names stay safe. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;
