import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { sendJson } from '../../platform/http.ts';
import type { PartnerKey, PartnerTier } from '../config.ts';
import type { GatewayContext } from '../context.ts';
import { derivedFromSupergraph, type GatewayPlugin } from '../plugin.ts';
import type { QuotaStore } from '../stores/quotas.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import { estimateCost, readCostModel } from '../analysis/cost.ts';
import type { BucketStore } from '../stores/buckets.ts';

/** Where operators read every partner's quotas (an operators' route, beside /metrics). */
export const QUOTAS_PATH = '/partners/quotas';

/** Options of partner quotas. */
export interface PartnerQuotasOptions {
  /** Tiers by name (PLAZA_PARTNER_TIERS). */
  tiers: Record<string, PartnerTier>;
  /** The partners, as configured now (the keys file is re-read when it changes). */
  partners(): PartnerKey[];
  /** Token buckets of the tiers' rate and burst (Redis when shared). */
  buckets: BucketStore;
  /** Daily and monthly counters (Redis when shared). */
  quotas: QuotaStore;
  /** The supergraph SDL, for the cost of an operation (@cost, @listSize). */
  supergraphSdl: string;
  /** Size assumed for lists without @listSize or a slicing argument. Default 10. */
  defaultListSize?: number;
  /** Reports a store that did not answer (the request is let through). Default console.error. */
  onError?(error: unknown): void;
  /** The clock, in ms. Default Date.now. */
  now?(): number;
}

interface Window {
  name: 'daily' | 'monthly';
  /** `2026-12-03` or `2026-12`. */
  id: string;
  start: number;
  endsAt: number;
}

function windowsAt(now: number): Window[] {
  const d = new Date(now);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  return [
    { name: 'daily', id: d.toISOString().slice(0, 10), start: dayStart, endsAt: dayStart + 24 * 3600 * 1000 },
    { name: 'monthly', id: d.toISOString().slice(0, 7), start: monthStart, endsAt: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) },
  ];
}

/** One limit as an answer's headers describe it. */
interface Standing {
  limit: number;
  remaining: number;
  /** Seconds until it is whole again. */
  reset: number;
  window: number;
}

function headersOf(standings: Standing[]): [string, string][] {
  const tightest = standings.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset) ? b : a));
  return [
    // IETF httpapi RateLimit header fields (the draft's limit/remaining/reset trio), the tightest limit first
    ['ratelimit-limit', String(tightest.limit)],
    ['ratelimit-remaining', String(Math.max(0, tightest.remaining))],
    ['ratelimit-reset', String(tightest.reset)],
    ['ratelimit-policy', standings.map((s) => `${s.limit};w=${s.window}`).join(', ')],
  ];
}

function refusal(code: ErrorCode, message: string, retryAfter: number, headers: [string, string][]): GraphQLError {
  const map = new HeaderMap([...headers, ['retry-after', String(Math.max(1, retryAfter))]]);
  // Apollo Server reads the status and headers of the answer from `extensions.http`
  const extensions: Record<string, unknown> = { code, http: { status: 429, headers: map } };
  return new GraphQLError(message, { extensions });
}

/**
 * Quotas per partner tier: a token bucket (rate, burst) and daily and monthly quotas of
 * requests and estimated cost, counted across replicas when the stores are in Redis.
 * Every partner answer carries RateLimit headers; an empty bucket answers 429
 * RATE_LIMITED and a spent quota 429 QUOTA_EXCEEDED, both with Retry-After.
 */
export function usePartnerQuotas(options: PartnerQuotasOptions): GatewayPlugin {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((error: unknown) => console.error('partner quota store failed:', error));
  const model = derivedFromSupergraph(options.supergraphSdl, readCostModel);
  const answered = new WeakMap<GatewayContext, [string, string][]>();
  const tierOf = (name: string): { tier: string; settings: PartnerTier } | undefined => {
    const partner = options.partners().find((p) => p.name === name);
    const tier = partner?.tier ?? 'default';
    return options.tiers[tier] ? { tier, settings: options.tiers[tier] } : undefined;
  };

  async function standingsOf(name: string, settings: PartnerTier, at: number, add: { requests: number; cost: number }) {
    const result: { window: Window; kind: 'requests' | 'cost'; used: number; limit: number }[] = [];
    for (const window of windowsAt(at)) {
      for (const kind of ['requests', 'cost'] as const) {
        const limit = settings[`${window.name}${kind === 'requests' ? 'Requests' : 'Cost'}`];
        if (limit === null) continue;
        const used = await options.quotas.add(`${name}:${kind}:${window.id}`, add[kind], window.endsAt);
        result.push({ window, kind, used, limit });
      }
    }
    return result;
  }

  return {
    name: 'partner-quotas',
    operatorRoutes: (app) => {
      app.get(QUOTAS_PATH, async (_request, reply) => {
        const at = now();
        const partners = [];
        for (const partner of options.partners()) {
          const tier = tierOf(partner.name);
          if (!tier) continue;
          const quotas = (await standingsOf(partner.name, tier.settings, at, { requests: 0, cost: 0 })).map((s) => ({
            window: s.window.name,
            kind: s.kind,
            used: s.used,
            limit: s.limit,
            remaining: Math.max(0, s.limit - s.used),
            resetsAt: new Date(s.window.endsAt).toISOString(),
          }));
          partners.push({ name: partner.name, tier: tier.tier, quotas });
        }
        return sendJson(reply, 200, { partners });
      });
    },
    apollo: {
      ...model.hooks,
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, operation, document, schema, request }) {
            if (contextValue.client.kind !== 'partner' || !operation) return;
            const tier = tierOf(contextValue.client.name);
            if (!tier) return;
            const at = now();
            const { settings } = tier;
            try {
              const bucket = await options.buckets.take(`tier:${contextValue.client.name}`, { burst: settings.burst, perSecond: settings.rate });
              const standings: Standing[] = [
                { limit: settings.burst, remaining: bucket.remaining, reset: Math.ceil((settings.burst - bucket.remaining) / settings.rate), window: Math.max(1, Math.round(settings.burst / settings.rate)) },
              ];
              if (!bucket.allowed) {
                const retry = Math.ceil(bucket.retryAfterMs / 1000);
                throw refusal(ErrorCode.RATE_LIMITED, `Too many requests from partner ${contextValue.client.name}; retry later`, retry, headersOf(standings));
              }
              const needsCost = settings.dailyCost !== null || settings.monthlyCost !== null;
              const cost = needsCost ? estimateCost(localApiSchema(schema), model.current(), document, operation, request.variables, options.defaultListSize ?? 10) : 0;
              const counted = await standingsOf(contextValue.client.name, settings, at, { requests: 1, cost });
              for (const s of counted) {
                standings.push({ limit: s.limit, remaining: s.limit - s.used, reset: Math.ceil((s.window.endsAt - at) / 1000), window: Math.round((s.window.endsAt - s.window.start) / 1000) });
              }
              const spent = counted.find((s) => s.used > s.limit);
              if (spent) {
                const retry = Math.ceil((spent.window.endsAt - at) / 1000);
                throw refusal(
                  ErrorCode.QUOTA_EXCEEDED,
                  `Partner ${contextValue.client.name} has spent its ${spent.window.name} ${spent.kind === 'requests' ? 'request' : 'cost'} quota of ${spent.limit} (tier ${tier.tier}); it renews at ${new Date(spent.window.endsAt).toISOString()}`,
                  retry,
                  headersOf(standings),
                );
              }
              answered.set(contextValue, headersOf(standings));
            } catch (error) {
              if (error instanceof GraphQLError) throw error;
              onError(error); // a store that is down must not take the API down with it
            }
          },
          async willSendResponse({ contextValue, response }) {
            const headers = answered.get(contextValue);
            if (headers) for (const [name, value] of headers) response.http.headers.set(name, value);
          },
        };
      },
    },
    async stop() {
      await options.buckets.close();
      await options.quotas.close();
    },
  };
}
