/**
 * The engine's OpenTelemetry spans, one per phase of a request: `gateway.request`, and
 * inside it `gateway.validate` (variables), `gateway.plan` (a plan not cached yet),
 * `gateway.execute`, `gateway.fetch` per subgraph fetch (its `traceparent` goes to the
 * subgraph) and `gateway.postprocessing` (shaping). They exist only when tracing is on
 * (gateway/plugins/tracing.ts registers the exporter): otherwise a phase runs as it is.
 */
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

const tracer = trace.getTracer('plaza-gateway');

export type SpanName = 'gateway.request' | 'gateway.validate' | 'gateway.plan' | 'gateway.execute' | 'gateway.fetch' | 'gateway.postprocessing';

/** Runs `work` inside a span named `name` when `enabled`; a thrown error is recorded on the span. */
export function inSpan<T>(enabled: boolean, name: SpanName, attributes: Attributes, work: () => T): T {
  if (!enabled) return work();
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    const fail = (error: unknown) => {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    };
    let result: T;
    try {
      result = work();
    } catch (error) {
      fail(error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          fail(error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}
