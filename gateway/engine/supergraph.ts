/**
 * A supergraph as the engine serves it: built with @apollo/federation-internals' public
 * API, its API schema (what clients see, `@defer` declared so validation accepts it), the
 * schema of the whole supergraph (for type conditions of entity representations), the
 * query planner over it and the subgraphs it names.
 */
import crypto from 'node:crypto';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';

export interface LoadedSupergraph {
  /** The supergraph's text, as loaded. */
  readonly sdl: string;
  /** sha256 of the text: a plan cached for one supergraph is never used with another. */
  readonly id: string;
  readonly supergraph: Supergraph;
  /** The API schema, federation-internals' model (operations are built against it). */
  readonly apiSchema: Schema;
  /** The API schema for graphql-js (Apollo Server validates against it; introspection runs on it). */
  readonly schema: GraphQLSchema;
  /** The whole supergraph for graphql-js: every type, inaccessible ones too. */
  readonly supergraphSchema: GraphQLSchema;
  readonly planner: QueryPlanner;
  /** Subgraph names and the URLs the supergraph gives them. */
  readonly subgraphs: readonly { name: string; url: string }[];
  /** Progressive @override labels (`overrideLabel` of join__field), with the share of requests each applies to when it is a `percent(…)`. */
  readonly overrideLabels: readonly { label: string; percent?: number }[];
}

/** The labels of progressive overrides in a supergraph's text. */
function overrideLabelsOf(sdl: string): { label: string; percent?: number }[] {
  const labels = new Map<string, number | undefined>();
  for (const match of sdl.matchAll(/overrideLabel:\s*"([^"]+)"/g)) {
    const percent = /^percent\((\d+(?:\.\d+)?)\)$/.exec(match[1]);
    labels.set(match[1], percent ? Number(percent[1]) : undefined);
  }
  return [...labels].map(([label, percent]) => (percent === undefined ? { label } : { label, percent }));
}

/**
 * Identifiers of every supergraph loaded, held as one-byte strings. V8 keeps one copy of
 * each string used as a property key; whichever copy is first wins, and every equal key
 * after it (field names in parsed subgraph answers, in the answers written) is that copy.
 * A supergraph with any character past U+00FF in a description is a two-byte text, and so
 * is every name graphql-js slices out of it; interning one-byte copies first keeps every
 * answer a one-byte string, which V8 measures and writes several times faster. Held for
 * the life of the process: a few thousand short names.
 */
const oneByteNames: Record<string, true> = Object.create(null);

function internOneByte(sdl: string): void {
  for (const name of sdl.match(/[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
    if (oneByteNames[name]) continue;
    // a latin1 round trip gives a fresh sequential one-byte string
    oneByteNames[Buffer.from(name, 'latin1').toString('latin1')] = true;
  }
}

/**
 * Builds everything the engine needs from a supergraph's text; throws (with
 * federation-internals' message) on a supergraph that is invalid or uses a feature the
 * engine does not serve. `@authenticated` and `@requiresScopes` are served: Plaza enforces
 * them in its authorization plugin.
 */
export function loadSupergraph(sdl: string): LoadedSupergraph {
  internOneByte(sdl);
  const supergraph = Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES });
  const apiSchema = supergraph.apiSchema();
  return {
    sdl,
    id: crypto.createHash('sha256').update(sdl).digest('hex'),
    supergraph,
    apiSchema,
    schema: apiSchema.toGraphQLJSSchema({ includeDefer: true }),
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    planner: new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } }),
    subgraphs: supergraph.subgraphsMetadata(),
    overrideLabels: overrideLabelsOf(sdl),
  };
}
