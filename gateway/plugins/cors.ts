import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../../platform/errors.ts';
import { sendError } from '../../platform/http.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of the browser origin policy. */
export interface CorsOptions {
  /** Origins allowed to call from a browser (`https://app.example.com`); null allows any. Default null. */
  origins: string[] | null;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

/** A request's own origin as the browser would spell it (same-origin calls always pass). */
function ownOrigins(req: IncomingMessage): string[] {
  const host = req.headers.host;
  return host ? [`http://${host}`, `https://${host}`] : [];
}

function refuse(res: ServerResponse, origin: string): true {
  sendError(res, 403, ErrorCode.ORIGIN_NOT_ALLOWED, `Origin ${origin} may not call this API`);
  return true;
}

/**
 * Cross-origin requests from browsers: an allowed origin gets the CORS headers (and a
 * 204 answer to its preflight); any other origin is refused with 403 ORIGIN_NOT_ALLOWED.
 * Requests without an Origin header (servers, curl) are not affected.
 */
export function useCors(options: CorsOptions): GatewayPlugin {
  const allowed = options.origins ? new Set(options.origins) : null;
  const maxAge = String(options.maxAgeSeconds ?? 600);
  return {
    name: 'cors',
    routes: [
      (req, res) => {
        const origin = req.headers.origin;
        if (!origin) return false;
        if (allowed && !allowed.has(origin) && !ownOrigins(req).includes(origin)) return refuse(res, origin);
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
        if (req.method !== 'OPTIONS') return false;
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type, authorization',
          'access-control-max-age': maxAge,
        });
        res.end();
        return true;
      },
    ],
  };
}
