import type { FastifyRequest } from 'fastify';
import fastifyCors from '@fastify/cors';
import { ErrorCode } from '../../platform/errors.ts';
import { HttpRefusal } from '../../platform/http.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of the browser origin policy. */
export interface CorsOptions {
  /** Origins allowed to call from a browser (`https://app.example.com`); null allows any. Default null. */
  origins: string[] | null;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** A request's own origin as the browser would spell it (same-origin calls always pass). */
function ownOrigins(request: FastifyRequest): string[] {
  const host = request.headers.host;
  return host ? [`http://${host}`, `https://${host}`] : [];
}

/**
 * Cross-origin requests from browsers: an allowed origin gets the CORS headers (and a
 * 204 answer to its preflight) from @fastify/cors; any other origin is refused with 403
 * ORIGIN_NOT_ALLOWED before its body is read (@fastify/cors would only leave the headers
 * out). Requests without an Origin header (servers, curl) are not affected.
 */
export function useCors(options: CorsOptions): GatewayPlugin {
  const allowed = options.origins ? new Set(options.origins) : null;
  return {
    name: 'cors',
    onRequest(request) {
      const origin = request.headers.origin;
      if (!origin || !allowed || allowed.has(origin) || ownOrigins(request).includes(origin)) return;
      throw new HttpRefusal(403, ErrorCode.ORIGIN_NOT_ALLOWED, `Origin ${origin} may not call this API`);
    },
    routes(app) {
      void app.register(fastifyCors, {
        // every origin that reaches this point is allowed: it is echoed back
        origin: true,
        methods: ['GET', 'POST', 'OPTIONS'],
        maxAge: options.maxAgeSeconds ?? 600,
        hook: 'onRequest',
      });
    },
  };
}
