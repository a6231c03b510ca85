/**
 * Usage over time: for each client, app version, operation and field, how many uses per
 * day, and when it was first and last seen, so "is it safe to retire?" has an answer.
 * In memory (one replica's view, bounded) or in Redis (every replica's, bounded).
 */
import type { Redis } from 'ioredis';
import { ENTRY_BYTES, stringBytes } from '../../platform/caches.ts';
import { ReportedMap } from './memory.ts';

/** What a use is counted under. */
export type UsageSubject = 'client' | 'app' | 'operation' | 'field';
export const USAGE_SUBJECTS: readonly UsageSubject[] = ['client', 'app', 'operation', 'field'];

/** One thing used, under its subject: a client name, `client@appVersion`, `client/operationName/operationId`, or a field `Type.field`. */
export interface Use {
  subject: UsageSubject;
  key: string;
}

/** The record of one thing's uses. */
export interface UsageTrail {
  subject: UsageSubject;
  key: string;
  /** ISO time of its first and last recorded use. */
  firstSeen: string;
  lastSeen: string;
  /** Uses per UTC day (`YYYY-MM-DD`), days within the window asked for only. */
  days: Record<string, number>;
}

export interface UsageHistory {
  /** Records uses, of one request or of several (a use listed twice counts twice); never slows down or fails a request. */
  record(uses: Use[], at?: number): void;
  /** Every trail of one subject, with its days inside the last `days` days. */
  read(subject: UsageSubject, days: number, now?: number): Promise<UsageTrail[]>;
  close?(): Promise<void>;
}

/** Days of counts kept; trails (one per thing) kept in memory and per subject in Redis. */
export const USAGE_HISTORY_BUDGET = { days: 92, memoryTrails: 20_000, redisTrailsPerSubject: 100_000 } as const;

const DAY_MS = 24 * 3600 * 1000;

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The keys of one request's uses. */
export function usesOf(client: string, appVersion: string, operationId: string, operationName: string | undefined, fields: readonly string[]): Use[] {
  return [
    { subject: 'client', key: client },
    { subject: 'app', key: `${client}@${appVersion}` },
    { subject: 'operation', key: `${client}/${operationName ?? '-'}/${operationId}` },
    ...fields.map((key) => ({ subject: 'field' as const, key })),
  ];
}

interface Trail {
  first: number;
  last: number;
  days: Map<string, number>;
}

/**
 * Trails in this process: at most `maxTrails`; once full, a thing not seen yet is not
 * recorded (counted in `dropped`), while things already recorded keep counting, so a
 * trail is never forgotten. Days older than the budget are dropped. Reported in /metrics
 * as `usage_history`.
 */
export class MemoryUsageHistory extends ReportedMap<Trail> implements UsageHistory {
  /** Uses of things past the budget, not recorded. */
  dropped = 0;

  constructor(maxEntries: number = USAGE_HISTORY_BUDGET.memoryTrails) {
    super('usage_history', maxEntries);
  }

  record(uses: Use[], at: number = Date.now()): void {
    const day = dayOf(at);
    for (const use of uses) {
      const id = `${use.subject}\t${use.key}`;
      let trail = this.rows.get(id);
      if (!trail) {
        if (this.rows.size >= this.maxEntries) {
          this.dropped++;
          continue;
        }
        this.rows.set(id, (trail = { first: at, last: at, days: new Map() }));
        this.held += ENTRY_BYTES * 2 + stringBytes(id);
      }
      trail.last = Math.max(trail.last, at);
      trail.first = Math.min(trail.first, at);
      const count = trail.days.get(day);
      if (count === undefined) {
        this.held += ENTRY_BYTES;
        if (trail.days.size >= USAGE_HISTORY_BUDGET.days) {
          const oldest = [...trail.days.keys()].sort()[0];
          trail.days.delete(oldest);
          this.held -= ENTRY_BYTES;
        }
      }
      trail.days.set(day, (count ?? 0) + 1);
    }
  }

  async read(subject: UsageSubject, days: number, now: number = Date.now()): Promise<UsageTrail[]> {
    const since = dayOf(now - (days - 1) * DAY_MS);
    const trails: UsageTrail[] = [];
    for (const [id, trail] of this.rows) {
      const tab = id.indexOf('\t');
      if (id.slice(0, tab) !== subject) continue;
      const inWindow = Object.fromEntries([...trail.days].filter(([day]) => day >= since).sort(([a], [b]) => a.localeCompare(b)));
      trails.push({ subject, key: id.slice(tab + 1), firstSeen: new Date(trail.first).toISOString(), lastSeen: new Date(trail.last).toISOString(), days: inWindow });
    }
    return trails;
  }
}

/** Redis key names of the history, under the shared prefix. */
export const HISTORY_KEYS = {
  day: (prefix: string, subject: UsageSubject, day: string) => `${prefix}usage:${subject}:day:${day}`,
  first: (prefix: string, subject: UsageSubject) => `${prefix}usage:${subject}:first`,
  last: (prefix: string, subject: UsageSubject) => `${prefix}usage:${subject}:last`,
} as const;

/**
 * Records one request's uses: ARGV = prefix, day, now (ms), max trails per subject, day TTL (s),
 * then subject and key pairs. A thing not seen yet is recorded only while its subject holds
 * fewer than the maximum trails.
 */
const RECORD_USES_LUA = `
local prefix, day, now, max, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 6, #ARGV, 2 do
  local subject, key = ARGV[i], ARGV[i + 1]
  local first = prefix .. 'usage:' .. subject .. ':first'
  if redis.call('HEXISTS', first, key) == 1 or redis.call('HLEN', first) < max then
    redis.call('HSETNX', first, key, now)
    redis.call('HSET', prefix .. 'usage:' .. subject .. ':last', key, now)
    local daily = prefix .. 'usage:' .. subject .. ':day:' .. day
    redis.call('HINCRBY', daily, key, 1)
    redis.call('EXPIRE', daily, ttl)
  end
end
return 1
`;

/** Trails in Redis, shared by every replica; days expire after the budget. */
export class RedisUsageHistory implements UsageHistory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'plaza:',
    private readonly onError: (error: unknown) => void = () => {},
    private readonly maxTrails: number = USAGE_HISTORY_BUDGET.redisTrailsPerSubject,
  ) {
    this.redis.defineCommand('plazaRecordUses', { numberOfKeys: 0, lua: RECORD_USES_LUA });
  }

  record(uses: Use[], at: number = Date.now()): void {
    if (!uses.length) return;
    const record = (this.redis as unknown as { plazaRecordUses(...args: (string | number)[]): Promise<number> }).plazaRecordUses;
    const args: (string | number)[] = [this.prefix, dayOf(at), at, this.maxTrails, USAGE_HISTORY_BUDGET.days * 24 * 3600];
    for (const use of uses) args.push(use.subject, use.key);
    record.call(this.redis, ...args).catch(this.onError);
  }

  async read(subject: UsageSubject, days: number, now: number = Date.now()): Promise<UsageTrail[]> {
    const [first, last] = await Promise.all([this.redis.hgetall(HISTORY_KEYS.first(this.prefix, subject)), this.redis.hgetall(HISTORY_KEYS.last(this.prefix, subject))]);
    const dayNames = Array.from({ length: days }, (_, i) => dayOf(now - (days - 1 - i) * DAY_MS));
    const counts = await Promise.all(dayNames.map((day) => this.redis.hgetall(HISTORY_KEYS.day(this.prefix, subject, day))));
    return Object.keys(first).map((key) => {
      const inWindow: Record<string, number> = {};
      dayNames.forEach((day, i) => {
        if (counts[i][key]) inWindow[day] = Number(counts[i][key]);
      });
      return { subject, key, firstSeen: new Date(Number(first[key])).toISOString(), lastSeen: new Date(Number(last[key] ?? first[key])).toISOString(), days: inWindow };
    });
  }
}

/** What the history says about retiring one thing: its matching trails in the window, their uses, and the verdict. */
export interface RetirementVerdict {
  trails: UsageTrail[];
  /** Uses inside the window, summed over the matching trails. */
  uses: number;
  /** No use inside the window. */
  safe: boolean;
}

export function retirementVerdict(trails: UsageTrail[], matches: (trail: UsageTrail) => boolean): RetirementVerdict {
  const matching = trails.filter(matches);
  const uses = matching.reduce((sum, t) => sum + Object.values(t.days).reduce((a, b) => a + b, 0), 0);
  return { trails: matching, uses, safe: uses === 0 };
}

/** Whether an operation trail (`client/name/id`) is the operation asked for, by id or name, of one client or any. */
export function isOperation(trail: UsageTrail, operation: string, client?: string): boolean {
  const [trailClient, name, id] = splitOperationKey(trail.key);
  return (client === undefined || trailClient === client) && (id === operation || name === operation);
}

export function splitOperationKey(key: string): [client: string, name: string, id: string] {
  const last = key.lastIndexOf('/');
  const first = key.indexOf('/');
  return [key.slice(0, first), key.slice(first + 1, last), key.slice(last + 1)];
}
