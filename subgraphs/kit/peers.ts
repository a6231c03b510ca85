import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../../platform/internal-token.ts';
import type { SubgraphName } from '../../platform/config.ts';

/**
 * Where a subgraph reaches the others it calls server to server. An object read at
 * call time, so a harness that starts subgraphs on ephemeral ports can fill it in
 * once they all listen.
 */
export type PeerUrls = Partial<Record<SubgraphName, string>>;

/**
 * A subgraph's client for the few calls it makes to another subgraph directly (a
 * confirmed payment crediting points, a placement checking whose service it shows).
 * The call carries an internal token naming the calling subgraph as `service`, which
 * the gateway never sets, so a peer can refuse anything not from that service.
 */
export interface Peers {
  /** Runs `query` on subgraph `name`; its data, or a SUBGRAPH_UNAVAILABLE error (the peer's own code when it refused). */
  query<T>(name: SubgraphName, query: string, variables?: Record<string, unknown>): Promise<T>;
}

/** `timeoutMs`: how long one call to a peer may take before it counts as unavailable. */
export function peerClient(self: SubgraphName, urls: PeerUrls, secret: string, timeoutMs: number): Peers {
  return {
    async query<T>(name: SubgraphName, query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const url = urls[name];
      if (!url) throw plazaError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${name} service is not configured`);
      const token = await signInternalToken({ scopes: [], service: self }, secret);
      let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: token },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = (await res.json()) as typeof body;
      } catch {
        throw plazaError(ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${name} service did not answer`);
      }
      const refused = body.errors?.[0];
      if (refused || body.data === undefined || body.data === null) {
        const code = refused?.extensions?.code;
        throw plazaError(
          code && code in ErrorCode ? (code as ErrorCode) : ErrorCode.SUBGRAPH_UNAVAILABLE,
          code && code in ErrorCode && code !== ErrorCode.INTERNAL_SERVER_ERROR ? refused!.message : `The ${name} service could not answer`,
        );
      }
      return body.data;
    },
  };
}

/** Refuses a call that does not come from subgraph `service` (see Peers). */
export function requireService(viewer: { service?: string }, service: SubgraphName): void {
  if (viewer.service !== service) throw plazaError(ErrorCode.FORBIDDEN, `Only the ${service} service may call this`);
}
