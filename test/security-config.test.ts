import { describe, expect, it } from 'vitest';
import { readGatewayConfig, readSecurityConfig, SECURITY_DEFAULTS } from '../gateway/config.ts';

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
  ];
  for (const [variable, value] of wrong) {
    it(`${variable}=${value} stops start-up with a ConfigError naming ${variable}`, () => {
      expect(() => readGatewayConfig([], { [variable]: value })).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(variable) }));
    });
  }
});
