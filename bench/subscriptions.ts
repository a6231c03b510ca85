/**
 * Subscriptions at scale: many subscribers of `pointsChanged` on one gateway (each a
 * WebSocket connection of its own, a few per user, as a user's phone and tablet), events
 * published on Redis at a steady rate, and for each delivered event its latency from the
 * commit time it carries to the client, with the gateway's peak RSS.
 *
 * The events are published on the membership subgraph's topic in the form membership
 * publishes right after a commit (`{ userId, reference, reason, at }`, `at` the commit
 * time), naming ledger entries the seeded world holds (each user's welcome points): the
 * path measured is the one every real event takes (Redis → the membership subgraph, which
 * reads the balance and the entry → the gateway, which completes the answer → the client).
 * The payment that would have committed the entry is not part of it: its cost is measured
 * by the `money` section.
 *
 * Run alone with `tsx bench/subscriptions.ts` (SUBSCRIPTIONS_SUBSCRIBERS, SUBSCRIPTIONS_RATE,
 * SUBSCRIPTIONS_DURATION), or as the `subscriptions` section of `npm run bench`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { issueToken } from '../gateway/plugins/identity.ts';
import { defaultOf, settingsFor, settingsOf } from '../platform/settings.ts';
import { SUBGRAPH_NAMES } from '../platform/config.ts';
import { startPlazaProcesses, startProcess, stopProcess } from './processes.ts';
import type { SubscribersJob, SubscribersReport } from './subscribers.ts';

export interface SubscriptionsSettings {
  /** Subscribers (connections), one subscription each. */
  subscribers: number;
  /** Subscribers per user. */
  perUser: number;
  /** Events published per second. */
  rate: number;
  /** Seconds measured. */
  duration: number;
  /** taskset CPU lists of the gateway and of everything else ('' for any). */
  gatewayCpus: string;
  otherCpus: string;
  redisUrl: string;
}

export const SUBSCRIPTIONS_DEFAULTS: SubscriptionsSettings = {
  subscribers: defaultOf('SUBSCRIPTIONS_SUBSCRIBERS'),
  perUser: 2,
  rate: defaultOf('SUBSCRIPTIONS_RATE'),
  duration: defaultOf('SUBSCRIPTIONS_DURATION'),
  gatewayCpus: '',
  otherCpus: '',
  redisUrl: 'redis://127.0.0.1:6379',
};

/** The targets: p99 delivery within 100 ms, the gateway's RSS within 400 MB. */
export const SUBSCRIPTIONS_TARGETS = { p99Ms: 100, rssMB: 400 } as const;

export interface SubscriptionsResult {
  settings: SubscriptionsSettings;
  published: number;
  /** Deliveries the published events called for (each reaches every subscriber of its user). */
  expected: number;
  report: SubscribersReport;
  deliveredPerSecond: number;
  /** The gateway's RSS: with every subscriber connected and idle, and its peak over the run, in MB. */
  idleRssMB: number;
  peakRssMB: number;
  /** CPU per delivered event over the measured window, in ms: the gateway's, and the membership subgraph's (which reads and answers every event). */
  gatewayCpuMsPerEvent: number;
  membershipCpuMsPerEvent: number;
}

const QUERY = 'subscription { pointsChanged { balance tier committedAt user { id } transaction { amount } } }';
const CHANNEL = (userId: string) => `plaza:events:membership.points-changed:${userId}`;

/** User+system CPU of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime, in clock ticks (100 a second on Linux)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function memoryMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1000;
}

/** Asks the subscribers' process something and waits for its answer of that type. */
function ask<T>(child: ReturnType<typeof startProcess>, message: object, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listen = (answer: { type: string }) => {
      if (answer.type !== type) return;
      child.off('message', listen);
      resolve(answer as T);
    };
    child.on('message', listen);
    child.send(message);
  });
}

export async function subscriptionsBench(overrides: Partial<SubscriptionsSettings> = {}): Promise<SubscriptionsResult> {
  const settings = { ...SUBSCRIPTIONS_DEFAULTS, ...overrides };
  const users = Math.ceil(settings.subscribers / settings.perUser);
  const jwtSecret = crypto.randomBytes(24).toString('hex');
  const plaza = await startPlazaProcesses('subscriptions', settings.gatewayCpus, settings.otherCpus, {
    PLAZA_JWT_SECRET: jwtSecret,
    PLAZA_REDIS_URL: settings.redisUrl,
    PLAZA_SUBSCRIPTIONS_PER_USER: String(settings.perUser),
  });
  const redis = new Redis(settings.redisUrl);
  const subscribers = startProcess('bench/subscribers.ts', [], process.env, settings.otherCpus, { label: 'subscribers' });
  try {
    const userIds = Array.from({ length: users }, (_, i) => `u${i + 1}`);
    const tokens = await Promise.all(Array.from({ length: settings.subscribers }, (_, i) => issueToken(jwtSecret, { userId: userIds[i % users], expiresIn: '1h' })));
    const job: SubscribersJob = { url: plaza.url.replace(/^http/, 'ws'), tokens, query: QUERY, opening: 100 };
    await ask(subscribers, { type: 'job', job }, 'connected');
    const publish = (userId: string) => redis.publish(CHANNEL(userId), JSON.stringify({ userId, reference: `welcome:${userId}`, reason: 'WELCOME', at: Date.now() }));
    // every subscription is in place once each subscriber has had an event: one per user, then again for the users of
    // subscribers still waiting; the warm-up is over once nothing more arrives (no backlog spills into the measured run)
    type Count = { heard: number; unheard: number[]; received: number };
    const count = () => ask<Count>(subscribers, { type: 'count' }, 'count');
    let pending = userIds;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt === 30) {
        const { report } = await ask<{ report: SubscribersReport }>(subscribers, { type: 'report' }, 'report');
        const { heard } = await count();
        throw new Error(`only ${heard} of ${settings.subscribers} subscribers ever had an event (errors ${report.errors}, closed ${JSON.stringify(report.closed)}, first error ${report.firstError ?? 'none'})`);
      }
      for (const userId of pending) void publish(userId);
      let last = -1;
      let now = await count();
      // wait while events still arrive
      while (now.received !== last) {
        last = now.received;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        now = await count();
      }
      pending = [...new Set(now.unheard.map((i) => userIds[i % users]))];
    }
    await ask(subscribers, { type: 'reset' }, 'reset');
    const gatewayPid = plaza.gateway.pid!;
    const membershipPid = plaza.subgraphs[SUBGRAPH_NAMES.indexOf('membership')].pid!;
    const cpuBefore = { gateway: cpuMs(gatewayPid), membership: cpuMs(membershipPid) };
    const idleRssMB = memoryMB(gatewayPid, 'VmRSS');
    let peakRssMB = idleRssMB;
    const sampler = setInterval(() => (peakRssMB = Math.max(peakRssMB, memoryMB(gatewayPid, 'VmRSS'))), 200);
    // events at a steady rate, in ticks of 10 ms, for users drawn in turn
    let published = 0;
    const started = performance.now();
    const total = settings.rate * settings.duration;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * settings.rate));
        for (; published < due; published++) void publish(userIds[(published * 7919) % users]);
        if (published >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 10);
    });
    // late deliveries count (their latency says how late)
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    clearInterval(sampler);
    peakRssMB = Math.max(peakRssMB, memoryMB(gatewayPid, 'VmHWM'));
    const { report } = await ask<{ report: SubscribersReport }>(subscribers, { type: 'report' }, 'report');
    const perEvent = (ms: number) => ms / Math.max(1, report.received);
    return {
      gatewayCpuMsPerEvent: perEvent(cpuMs(gatewayPid) - cpuBefore.gateway),
      membershipCpuMsPerEvent: perEvent(cpuMs(membershipPid) - cpuBefore.membership),
      settings,
      published,
      expected: published * settings.perUser,
      report,
      deliveredPerSecond: report.received / settings.duration,
      idleRssMB,
      peakRssMB,
    };
  } finally {
    await stopProcess(subscribers);
    redis.disconnect();
    await plaza.stop();
  }
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n) : n);

export function subscriptionsReport(result: SubscriptionsResult): string {
  const { settings, report } = result;
  // nothing delivered meets nothing
  const p99ok = report.received > 0 && report.p99 <= SUBSCRIPTIONS_TARGETS.p99Ms;
  const rssOk = result.peakRssMB <= SUBSCRIPTIONS_TARGETS.rssMB;
  return [
    `### Subscriptions (bench/subscriptions.ts)`,
    '',
    `${settings.subscribers} WebSocket subscribers of \`pointsChanged\` on one gateway (${settings.perUser} per user), ${settings.rate} events/s published on Redis for ${settings.duration} s; latency from each event's commit time to its client.`,
    '',
    '| published | deliveries expected | delivered | delivered/s | errors | p50 ms | p99 ms | max ms | gateway RSS idle / peak MB | CPU ms/delivery gateway / membership | closed by the gateway |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${result.published} | ${result.expected} | ${report.received} | ${round(result.deliveredPerSecond)} | ${report.errors} | ${round(report.p50)} | ${round(report.p99)} | ${round(report.max)} | ${round(result.idleRssMB)} / ${round(result.peakRssMB)} | ${result.gatewayCpuMsPerEvent.toFixed(2)} / ${result.membershipCpuMsPerEvent.toFixed(2)} | ${JSON.stringify(report.closed)} |`,
    '',
    `Targets: p99 ≤ ${SUBSCRIPTIONS_TARGETS.p99Ms} ms (${p99ok ? 'met' : 'NOT met'}), gateway RSS ≤ ${SUBSCRIPTIONS_TARGETS.rssMB} MB (${rssOk ? 'met' : 'NOT met'}).`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bench = settingsFor(settingsOf('bench'));
  const result = await subscriptionsBench({
    subscribers: bench.SUBSCRIPTIONS_SUBSCRIBERS,
    rate: bench.SUBSCRIPTIONS_RATE,
    duration: bench.SUBSCRIPTIONS_DURATION,
  });
  console.log(subscriptionsReport(result));
}
