import type { GatewayConfig } from '../config.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { useIdentity } from './identity.ts';
import fs from 'node:fs';
import path from 'node:path';
import { securityOf } from '../config.ts';
import { useAuthorization } from './authorization.ts';
import { useCors } from './cors.ts';
import { useDemandControl } from './demand-control.ts';
import { useLimits } from './limits.ts';
import { shapeLimits } from '../analysis/limits.ts';
import { usePartnerContract } from './partner-contract.ts';
import { useControlCharacterRefusal } from './control-characters.ts';
import { useErrorMasking } from './error-masking.ts';
import { useSubscriptions } from './subscriptions.ts';
import { useRateLimit } from './rate-limit.ts';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../platform/log.ts';
import { operationsOf } from '../config.ts';
import { useLogging } from './logging.ts';
import { operationNamesIn, useMetrics } from './metrics.ts';
import { useTracing } from './tracing.ts';
import { persistedQueriesOf } from '../config.ts';
import { operationLimits } from '../manifests.ts';
import { gatewayStores } from '../stores/index.ts';
import { useClients } from './clients.ts';
import { usePersistedDocuments } from './persisted-documents.ts';
import { useUsageHistory } from './usage-history.ts';
import { usePartnerQuotas } from './partner-quotas.ts';
import { pagesOf } from '../config.ts';
import { useClientPages } from './client-pages.ts';
import { clientOperationsIn, usePlayground, type ClientOperations } from './playground.ts';
import { persistedDocumentsIn, type PersistedDocumentsPlugin } from './persisted-documents.ts';
import { responseCacheOf } from '../config.ts';
import { useResponseCache } from './response-cache.ts';

/** First-party client documents: their operation names keep their own metric labels. */
const CLIENTS_DIR = fileURLToPath(new URL('../../clients', import.meta.url));

/** Every concern of the gateway, in the order a request meets them. */
export function gatewayPlugins(config: GatewayConfig): GatewayPlugin[] {
  const operations = operationsOf(config);
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const persisted = persistedQueryPlugins(config, supergraphSdl);
  return [
    ...(operations.otlpEndpoint ? [useTracing({ endpoint: operations.otlpEndpoint })] : []),
    useLogging({ logger: createLogger('gateway', operations.logLevel) }),
    useMetrics({ knownOperations: operationNamesIn(CLIENTS_DIR) }),
    useErrorMasking({ production: config.production, logger: createLogger('gateway', operations.logLevel) }),
    // subscriptions over WebSocket and SSE, each operation through the same pipeline as an HTTP request
    useSubscriptions({
      subscriptionsPerConnection: operations.subscriptionsPerConnection,
      subscriptionsPerUser: operations.subscriptionsPerUser,
      keepAliveMs: operations.subscriptionKeepAliveMs,
      maxMessageBytes: config.maxBodyBytes,
    }),
    ...securityPlugins(config, supergraphSdl),
    ...persisted,
    ...pagePlugins(config, persistedDocumentsIn(persisted)),
    ...responseCachePlugins(config),
  ];
}

/** The playground's list: the repository's client operations, then each published manifest as `<client>@<appVersion>`. */
export function playgroundOperations(persisted: PersistedDocumentsPlugin | undefined): () => ClientOperations[] {
  return () => [
    ...clientOperationsIn(CLIENTS_DIR),
    ...(persisted?.published() ?? []).map((m) => ({
      client: `${m.client}@${m.appVersion}`,
      operations: m.operations.map((op) => ({ name: op.name, kind: op.type, id: op.id, document: op.body })).sort((a, b) => a.name.localeCompare(b.name)),
    })),
  ];
}

/** The playground and the first-party pages (off in production; see PagesConfig); the playground lists the published manifests of `persisted`. */
export function pagePlugins(config: GatewayConfig, persisted?: PersistedDocumentsPlugin): GatewayPlugin[] {
  const pages = pagesOf(config);
  return [
    ...(pages.playground && !config.production
      ? [usePlayground({ dir: path.join(pages.dir, 'playground'), jwtSecret: config.jwtSecret, operations: playgroundOperations(persisted) })]
      : []),
    ...(pages.clientPages ? [useClientPages({ dir: pages.dir })] : []),
  ];
}

/**
 * Identity, authorization, limits and quotas, in pipeline order: browser origin, rate
 * limit per IP, operation shape, identity, then (per operation) control characters in
 * string inputs, subscriptions over HTTP, authorization, demand control, the partner
 * contract and the per-client rate limit.
 */
export function securityPlugins(config: GatewayConfig, supergraphSdl: string): GatewayPlugin[] {
  const security = securityOf(config);
  const corsOrigins = security.corsOrigins ?? (config.production ? [] : null);
  return [
    useCors({ origins: corsOrigins }),
    ...(security.rateLimit
      ? [
          useRateLimit({
            perIp: security.rateLimitIp,
            perClient: security.rateLimitClient,
            trustProxy: security.trustProxy,
            store: gatewayStores(config).buckets(),
          }),
        ]
      : []),
    useLimits(shapeLimits(security)),
    useControlCharacterRefusal(),
    useIdentity({
      secret: config.jwtSecret,
      jwksUrl: security.jwksUrl,
      jwksFile: security.jwksFile,
      jwksCooldownMs: security.jwksCooldownMs,
      issuer: security.jwtIssuer,
      audience: security.jwtAudience,
      scopeClaim: security.scopeClaim,
    }),
    useAuthorization({ supergraphSdl }),
    useDemandControl({ supergraphSdl, budget: security.costBudget, budgets: security.costBudgets, defaultListSize: security.costListSize }),
    usePartnerContract({ supergraphSdl, introspection: security.partnerIntrospection }),
  ];
}

/**
 * Client identity (partner API keys, client headers) and persisted documents (APQ,
 * trusted documents, per-client modes), after the limits so an id is swapped for its
 * text only for requests that passed them.
 */
export function persistedQueryPlugins(config: GatewayConfig, supergraphSdl: string): GatewayPlugin[] {
  const pq = persistedQueriesOf(config);
  const clients = useClients({ partners: pq.partners, partnerKeysFile: pq.partnerKeysFile });
  const stores = gatewayStores(config).persisted(pq);
  const persisted = usePersistedDocuments({
    clientOf: clients.clientOf,
    partnerMode: (name) => clients.partner(name)?.mode,
    ...stores,
    apq: pq.apq,
    defaultMode: pq.defaultMode,
    clientModes: pq.clientModes,
    bypassSecret: pq.bypassSecret,
    limits: operationLimits(supergraphSdl, securityOf(config)),
    supergraphSdl,
  });
  const security = securityOf(config);
  // partner tiers (PLAZA_PARTNER_TIERS): buckets and quotas shared through Redis when it is configured
  const quotas = Object.keys(security.partnerTiers).length
    ? [
        usePartnerQuotas({
          tiers: security.partnerTiers,
          partners: clients.partners,
          buckets: gatewayStores(config).buckets(),
          quotas: gatewayStores(config).quotas(),
          supergraphSdl,
          defaultListSize: security.costListSize,
        }),
      ]
    : [];
  return [clients, persisted, useUsageHistory({ history: stores.history, appVersionOf: persisted.appVersionOf, operatorSecret: pq.bypassSecret }), ...quotas];
}

/** The whole-answer cache of anonymous queries, when switched on (`PLAZA_RESPONSE_CACHE`). */
export function responseCachePlugins(config: GatewayConfig): GatewayPlugin[] {
  const settings = responseCacheOf(config);
  if (!settings.enabled) return [];
  return [useResponseCache({ store: gatewayStores(config).responseCache(settings.maxBytes) })];
}
