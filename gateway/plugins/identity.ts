import type { IncomingMessage } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import { ErrorCode, plazaError } from '../../subgraphs/kit/errors.ts';
import { ANONYMOUS, type Viewer } from '../../subgraphs/kit/internal-token.ts';
import type { GatewayPlugin } from '../plugin.ts';

/** Options of the bearer-token identity check. */
export interface IdentityOptions {
  /** HS256 secret tokens are signed with; null turns bearer tokens off (every caller is anonymous). */
  secret: string | null;
  /** Expected `iss` claim. Default `plaza`. */
  issuer?: string;
  /** Expected `aud` claim. Default `plaza-api`. */
  audience?: string;
  /** Claim holding space-separated scopes. Default `scope`. */
  scopeClaim?: string;
}

export const IDENTITY_DEFAULTS = { issuer: 'plaza', audience: 'plaza-api', scopeClaim: 'scope' } as const;

function refuse(message: string): never {
  throw plazaError(ErrorCode.UNAUTHENTICATED, message, { httpStatus: 401 });
}

/**
 * Resolves the caller from `Authorization: Bearer <jwt>`. No header means anonymous;
 * a header with a bad token (forged, expired, wrong audience or issuer) is refused.
 */
export function useIdentity(options: IdentityOptions): GatewayPlugin {
  const settings = { ...IDENTITY_DEFAULTS, ...options };
  const key = options.secret ? new TextEncoder().encode(options.secret) : null;
  async function identify(req: IncomingMessage): Promise<Viewer> {
    const header = req.headers.authorization;
    if (!header) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) refuse('Authorization header must be "Bearer <token>"');
    if (!key) refuse('Bearer tokens are not accepted by this gateway');
    try {
      const { payload } = await jwtVerify(match[1], key, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['HS256'],
      });
      const scopes = payload[settings.scopeClaim];
      return {
        userId: typeof payload.sub === 'string' ? payload.sub : undefined,
        scopes: typeof scopes === 'string' ? scopes.split(' ').filter(Boolean) : [],
      };
    } catch {
      return refuse('Invalid or expired token');
    }
  }
  return {
    name: 'identity',
    async context(req, context) {
      context.viewer = await identify(req);
    },
  };
}

/** Issues a development token (see `npm run token`). */
export async function issueToken(
  secret: string,
  claims: { userId: string; scopes?: string[]; expiresIn?: string },
): Promise<string> {
  return new SignJWT({ [IDENTITY_DEFAULTS.scopeClaim]: (claims.scopes ?? []).join(' ') })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuer(IDENTITY_DEFAULTS.issuer)
    .setAudience(IDENTITY_DEFAULTS.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(secret));
}
