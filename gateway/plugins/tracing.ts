import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of OpenTelemetry tracing. */
export interface TracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces` (PLAZA_OTLP_ENDPOINT). Required. */
  endpoint: string;
  /** `service.name` of the spans. Default `plaza-gateway`. */
  serviceName?: string;
}

export const TRACING_DEFAULTS = { serviceName: 'plaza-gateway' } as const;

/**
 * Exports the gateway's OpenTelemetry spans over OTLP/HTTP. The engine emits one span per
 * phase (request, validate, plan, execute, fetch per subgraph, postprocessing: see
 * engine/tracing.ts) when tracing is on; the registered W3C propagator puts each fetch
 * span's `traceparent` on the subgraph request (see engine/subgraph-source.ts).
 */
export function useTracing(options: TracingOptions): GatewayPlugin {
  let provider: NodeTracerProvider | undefined;
  return {
    name: 'tracing',
    apollo: {
      // the SDK is loaded only when tracing is on (before the gateway serves): without it a
      // gateway carries none of its few hundred modules (about 20 MB of resident memory)
      async serverWillStart() {
        const [{ OTLPTraceExporter }, { Resource }, sdk] = await Promise.all([
          import('@opentelemetry/exporter-trace-otlp-http'),
          import('@opentelemetry/resources'),
          import('@opentelemetry/sdk-trace-node'),
        ]);
        provider = new sdk.NodeTracerProvider({
          resource: new Resource({ 'service.name': options.serviceName ?? TRACING_DEFAULTS.serviceName }),
          spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint }), { scheduledDelayMillis: 1000 })],
        });
        provider.register();
      },
    },
    async stop() {
      // flushes the spans still batched
      await provider?.shutdown();
    },
  };
}
