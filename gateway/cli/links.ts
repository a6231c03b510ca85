/**
 * What `npm start` prints besides the GraphQL URL, outside production: the pages to open
 * first, each signed in as a seeded user (a development token in the link's fragment,
 * which the browser never sends), and a seeded merchant's token for its own placements
 * and figures. Nothing in production, and nothing without a development signing secret.
 */
import type { GatewayConfig } from '../config.ts';
import { securityOf } from '../config.ts';
import { issueToken } from '../plugins/identity.ts';

/** The seeded user the links sign in as, and the seeded merchant whose token is printed. */
export const DEVELOPMENT_USER = 'u1';
export const DEVELOPMENT_MERCHANT = 'm1';

export interface DevelopmentLink {
  label: string;
  url: string;
}

export async function developmentLinks(config: GatewayConfig): Promise<DevelopmentLink[]> {
  if (config.production || !config.jwtSecret) return [];
  const security = securityOf(config);
  const sign = (userId: string, scopes: string[]) =>
    issueToken(config.jwtSecret!, { userId, scopes, expiresIn: '12h', issuer: security.jwtIssuer, audience: security.jwtAudience, scopeClaim: security.scopeClaim });
  const origin = `http://${config.host}:${config.port}`;
  const user = await sign(DEVELOPMENT_USER, []);
  const links: DevelopmentLink[] = [];
  if (config.pages?.playground) links.push({ label: 'playground', url: `${origin}/playground/` });
  if (config.pages?.clientPages) {
    links.push({ label: `homepage (as ${DEVELOPMENT_USER})`, url: `${origin}/homepage/?city=Shanghai#token=${user}` });
    links.push({ label: `mini-program of ${DEVELOPMENT_MERCHANT} (as ${DEVELOPMENT_USER})`, url: `${origin}/miniprogram/?merchant=${DEVELOPMENT_MERCHANT}#token=${user}` });
  }
  const merchant = await sign('u9', [`merchant:${DEVELOPMENT_MERCHANT}`]);
  if (config.pages?.clientPages) links.push({ label: `merchant console of ${DEVELOPMENT_MERCHANT}`, url: `${origin}/console/?merchant=${DEVELOPMENT_MERCHANT}#token=${merchant}` });
  links.push({ label: `merchant ${DEVELOPMENT_MERCHANT}'s bearer token (its placements and figures)`, url: merchant });
  return links;
}
