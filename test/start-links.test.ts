import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { readGatewayConfig, securityOf } from '../gateway/config.ts';
import { developmentLinks } from '../gateway/cli/links.ts';

const DEVELOPMENT_ENV = { PLAZA_GATEWAY_PORT: '4000' } as NodeJS.ProcessEnv;

async function claimsOf(token: string, config: ReturnType<typeof readGatewayConfig>) {
  const security = securityOf(config);
  const { payload } = await jwtVerify(token, new TextEncoder().encode(config.jwtSecret!), { issuer: security.jwtIssuer, audience: security.jwtAudience });
  return payload;
}

describe('what npm start prints', () => {
  it('links the playground, the homepage and a mini-program signed in as a seeded user, and a merchant token, in development', async () => {
    const config = readGatewayConfig([], DEVELOPMENT_ENV);
    const links = await developmentLinks(config);
    expect(links.map((l) => l.label)).toEqual([
      'playground',
      'homepage (as u1)',
      'mini-program of m1 (as u1)',
      'merchant console of m1',
      "merchant m1's bearer token (its placements and figures)",
    ]);
    expect(links[0].url).toBe('http://127.0.0.1:4000/playground/');
    const home = new URL(links[1].url);
    expect(`${home.origin}${home.pathname}${home.search}`).toBe('http://127.0.0.1:4000/homepage/?city=Shanghai');
    expect((await claimsOf(home.hash.replace('#token=', ''), config)).sub).toBe('u1');
    expect(new URL(links[2].url).searchParams.get('merchant')).toBe('m1');
    const console = new URL(links[3].url);
    expect(`${console.pathname}${console.search}`).toBe('/console/?merchant=m1');
    expect(console.hash).toBe(`#token=${links[4].url}`);
    const merchant = await claimsOf(links[4].url, config);
    expect(JSON.stringify(merchant)).toContain('merchant:m1');
  });

  it('prints no link and no token in production', async () => {
    const config = { ...readGatewayConfig([], DEVELOPMENT_ENV), production: true };
    expect(await developmentLinks(config)).toEqual([]);
  });
});
