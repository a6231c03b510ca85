import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, readGatewayConfig, readSecurityConfig, SECURITY_DEFAULTS } from '../gateway/config.ts';
import { DEV_INTERNAL_SECRET, readSubgraphConfig } from '../platform/config.ts';

describe('security settings are read once and wrong values name their variable', () => {
  it('defaults apply when nothing is set', () => {
    expect(readSecurityConfig({})).toEqual({ ...SECURITY_DEFAULTS, costBudgets: {} });
  });

  it('rate limiting is on by default in production only', () => {
    expect(readSecurityConfig({ NODE_ENV: 'production' }).rateLimit).toBe(true);
    expect(readSecurityConfig({}).rateLimit).toBe(false);
  });

  it('values are parsed', () => {
    const security = readSecurityConfig({
      PLAZA_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      PLAZA_JWT_SCOPE_CLAIM: 'scp',
      PLAZA_MAX_DEPTH: '8',
      PLAZA_COST_BUDGETS: 'acme=500, homepage=8000',
      PLAZA_RATE_LIMIT_IP: '100/50',
      PLAZA_CORS_ORIGINS: 'https://a.example,https://b.example:8443',
    });
    expect(security).toMatchObject({
      jwksUrl: 'https://idp.example/.well-known/jwks.json',
      scopeClaim: 'scp',
      maxDepth: 8,
      costBudgets: { acme: 500, homepage: 8000 },
      rateLimitIp: { burst: 100, perSecond: 50 },
      corsOrigins: ['https://a.example', 'https://b.example:8443'],
    });
  });

  const wrong: [string, string][] = [
    ['PLAZA_MAX_DEPTH', 'deep'],
    ['PLAZA_MAX_ALIASES', '0'],
    ['PLAZA_MAX_TOKENS', '-5'],
    ['PLAZA_COST_BUDGET', '1.5'],
    ['PLAZA_COST_BUDGETS', 'acme:500'],
    ['PLAZA_RATE_LIMIT', 'maybe'],
    ['PLAZA_RATE_LIMIT_IP', '100'],
    ['PLAZA_RATE_LIMIT_CLIENT', '0/5'],
    ['PLAZA_JWKS_URL', 'ftp://idp'],
    ['PLAZA_CORS_ORIGINS', 'app.example'],
    ['PLAZA_REDIS_URL', 'http://127.0.0.1:6379'],
    ['PLAZA_METRICS_PORT', 'ninety'],
  ];
  for (const [variable, value] of wrong) {
    it(`${variable}=${value} stops start-up with a ConfigError naming ${variable}`, () => {
      expect(() => readGatewayConfig([], { [variable]: value })).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(variable) }));
    });
  }
});

describe('production refuses the secrets published in this repository', () => {
  const production = { NODE_ENV: 'production', PLAZA_INTERNAL_SECRET: 'a-secret-of-our-own-0123456789abcdef' };
  const published: [string, string][] = [
    ['PLAZA_INTERNAL_SECRET', DEV_INTERNAL_SECRET],
    ['PLAZA_INTERNAL_SECRET', 'replace-with-at-least-32-random-characters'],
    ['PLAZA_JWT_SECRET', DEV_JWT_SECRET],
    ['PLAZA_JWT_SECRET', 'replace-with-the-bearer-token-secret'],
  ];
  for (const [variable, secret] of published) {
    it(`${variable}=${secret} stops a production gateway with a ConfigError naming ${variable}`, () => {
      expect(() => readGatewayConfig([], { ...production, [variable]: secret })).toThrow(
        expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(variable) }),
      );
    });
  }

  it('the development internal secret stops a production subgraph too, and the example provider key the coupons subgraph', () => {
    expect(() => readSubgraphConfig('users', { ...production, PLAZA_INTERNAL_SECRET: DEV_INTERNAL_SECRET })).toThrow(/PLAZA_INTERNAL_SECRET: expected a secret of your own/);
    expect(() => readSubgraphConfig('coupons', { ...production, PLAZA_PAYMENT_PROVIDER_KEY: 'replace-with-the-key-your-payment-provider-signs-with' })).toThrow(
      /PLAZA_PAYMENT_PROVIDER_KEY: expected a secret of your own/,
    );
  });

  it('the message never shows the secret', () => {
    expect(() => readGatewayConfig([], { ...production, PLAZA_JWT_SECRET: DEV_JWT_SECRET })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(DEV_JWT_SECRET) }));
  });

  it('secrets of our own start production, and development keeps its defaults', () => {
    expect(readGatewayConfig([], { ...production, PLAZA_JWT_SECRET: 'another-secret-of-our-own-0123456789' }).jwtSecret).toBe('another-secret-of-our-own-0123456789');
    expect(readGatewayConfig([], production).jwtSecret).toBeNull();
    expect(readGatewayConfig([], {})).toMatchObject({ internalSecret: DEV_INTERNAL_SECRET, jwtSecret: DEV_JWT_SECRET });
  });
});

describe('the operators port', () => {
  it('metrics get a port of their own only when PLAZA_METRICS_PORT says so', () => {
    expect(readGatewayConfig([], { PLAZA_METRICS_PORT: '9464' }).operations?.metricsPort).toBe(9464);
    expect(readGatewayConfig([], { NODE_ENV: 'production', PLAZA_INTERNAL_SECRET: 'a-secret-of-our-own-0123456789abcdef' }).operations?.metricsPort).toBeNull();
  });
});
