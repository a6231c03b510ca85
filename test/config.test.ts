import { describe, expect, it } from 'vitest';
import { readGatewayConfig, subgraphUrlOverride } from '../gateway/config.ts';
import { databaseUrlFor, readSubgraphConfig } from '../platform/config.ts';

describe('configuration is read once and fails fast with the variable named', () => {
  it('a bad port names the variable and what it expects', () => {
    expect(() => readSubgraphConfig('users', { PLAZA_USERS_PORT: 'eighty' })).toThrow(/PLAZA_USERS_PORT: expected a port number/);
    expect(() => readGatewayConfig(['--port', '70000'], {})).toThrow(/PLAZA_GATEWAY_PORT/);
  });

  it('production refuses to start without an internal secret', () => {
    expect(() => readSubgraphConfig('users', { NODE_ENV: 'production' })).toThrow(/PLAZA_INTERNAL_SECRET/);
  });

  it('production refuses the sandbox payment provider and requires the real provider key', () => {
    const production = { NODE_ENV: 'production', PLAZA_INTERNAL_SECRET: 'x'.repeat(32) };
    expect(() => readSubgraphConfig('coupons', production)).toThrow(/PLAZA_PAYMENT_PROVIDER_KEY: expected the payment provider's notification key/);
    expect(() => readSubgraphConfig('coupons', { ...production, PLAZA_PAYMENT_PROVIDER_KEY: 'k'.repeat(32), PLAZA_PAYMENT_SANDBOX: 'true' })).toThrow(
      /PLAZA_PAYMENT_SANDBOX: expected false in production/,
    );
    expect(() => readSubgraphConfig('coupons', { ...production, PLAZA_PAYMENT_PROVIDER_KEY: 'short' })).toThrow(/PLAZA_PAYMENT_PROVIDER_KEY: expected at least 32/);
    expect(readSubgraphConfig('coupons', { ...production, PLAZA_PAYMENT_PROVIDER_KEY: 'k'.repeat(32) }).paymentProvider).toEqual({ key: 'k'.repeat(32), sandbox: false });
    // only the coupons subgraph hears from the provider
    expect(readSubgraphConfig('users', production).paymentProvider).toBeUndefined();
    expect(readSubgraphConfig('coupons', {}).paymentProvider?.sandbox).toBe(true);
  });

  it('a subgraph URL override must be a URL', () => {
    expect(() => readGatewayConfig([], { PLAZA_SUBGRAPH_URL_USERS: 'not a url' })).toThrow(/PLAZA_SUBGRAPH_URL_USERS: expected an http\(s\) URL/);
  });

  it('overrides come from flags or variables, matched to subgraph names', () => {
    const config = readGatewayConfig(['--subgraph', 'inventory-api=http://10.0.0.5:8080/graphql'], {
      PLAZA_SUBGRAPH_URL_USERS: 'http://users.internal/graphql',
    });
    expect(subgraphUrlOverride(config, 'users')).toBe('http://users.internal/graphql');
    expect(subgraphUrlOverride(config, 'inventory-api')).toBe('http://10.0.0.5:8080/graphql');
    expect(subgraphUrlOverride(config, 'coupons')).toBeUndefined();
  });

  it('each subgraph gets its own database', () => {
    expect(databaseUrlFor('coupons', { PLAZA_DATA_DIR: '/srv/plaza' })).toBe('file:/srv/plaza/coupons.db');
    expect(databaseUrlFor('coupons', { PLAZA_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432' })).toBe(
      'postgres://postgres@127.0.0.1:5432/plaza_coupons',
    );
    expect(
      databaseUrlFor('coupons', { PLAZA_DATABASE_URL: 'postgres://a@h/x', PLAZA_COUPONS_DATABASE_URL: 'postgres://b@h/own' }),
    ).toBe('postgres://b@h/own');
  });
});
