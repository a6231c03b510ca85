import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  operationsOf,
  pagesOf,
  persistedQueriesOf,
  readGatewayConfig,
  responseCacheOf,
  SECURITY_DEFAULTS,
  securityOf,
  subgraphUrlOverride,
} from '../gateway/config.ts';
import { IDENTITY_DEFAULTS } from '../gateway/plugins/identity.ts';
import { LIMITS_DEFAULTS } from '../gateway/analysis/limits.ts';
import { RATE_LIMIT_DEFAULTS } from '../gateway/plugins/rate-limit.ts';
import { databaseUrlFor, readSubgraphConfig } from '../platform/config.ts';
import { readHeapTargetMiB } from '../platform/heap.ts';
import { defaultOf, parseSettings, SETTINGS, SETTINGS_DOC, settingsDoc, settingsOf, type SettingName } from '../platform/settings.ts';

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

describe('every setting is stated once, in platform/settings.ts', () => {
  it('docs/settings.md lists every setting with its default (GENERATED from the schema: npx tsx platform/settings.ts --write-docs)', () => {
    const doc = fs.readFileSync(SETTINGS_DOC, 'utf8');
    expect(settingsDoc(doc), 'docs/settings.md is stale: run npx tsx platform/settings.ts --write-docs').toBe(doc);
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const row = SETTINGS[name].row ?? name;
      expect(doc, name).toContain(`| \`${row}\` |`);
      expect(SETTINGS[name].description, name).not.toBe('');
      expect(SETTINGS[name].shown, name).not.toBe('');
    }
  });

  it('nothing but the schema reads a variable of process.env (setting one for a library, or passing the environment on to a child, is not reading)', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const files = (dir: string, deep: boolean): string[] =>
      fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (deep && e.name !== 'node_modules' ? files(path.join(dir, e.name), deep) : []) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
      );
    const readers = [...files('platform', true), ...files('gateway', true), ...files('subgraphs', true), ...files('bench', false)]
      .filter((file) => file !== path.join('platform', 'settings.ts'))
      .filter((file) => /process\.env(\.\w+(?!\w)|\[)(?!\s*=[^=])/.test(fs.readFileSync(path.join(root, file), 'utf8')));
    expect(readers).toEqual([]);
  });

  it('the plugins default to the schema: no second copy of a default', () => {
    expect(LIMITS_DEFAULTS).toEqual({
      maxDepth: defaultOf('PLAZA_MAX_DEPTH'),
      maxAliases: defaultOf('PLAZA_MAX_ALIASES'),
      maxRootFields: defaultOf('PLAZA_MAX_ROOT_FIELDS'),
      maxTokens: defaultOf('PLAZA_MAX_TOKENS'),
      maxDocumentLength: defaultOf('PLAZA_MAX_DOCUMENT_LENGTH'),
      maxSelections: defaultOf('PLAZA_MAX_SELECTIONS'),
      maxRepeatedFields: defaultOf('PLAZA_MAX_REPEATED_FIELDS'),
    });
    expect(RATE_LIMIT_DEFAULTS).toEqual({ perIp: defaultOf('PLAZA_RATE_LIMIT_IP'), perClient: defaultOf('PLAZA_RATE_LIMIT_CLIENT'), trustProxy: defaultOf('PLAZA_TRUST_PROXY') });
    expect(IDENTITY_DEFAULTS).toEqual({
      issuer: defaultOf('PLAZA_JWT_ISSUER'),
      audience: defaultOf('PLAZA_JWT_AUDIENCE'),
      scopeClaim: defaultOf('PLAZA_JWT_SCOPE_CLAIM'),
      jwksCooldownMs: defaultOf('PLAZA_JWKS_COOLDOWN_MS'),
    });
    expect(SECURITY_DEFAULTS.maxDepth).toBe(12);
  });

  it('readGatewayConfig returns every section complete, as the helpers would fill it in', () => {
    for (const env of [{}, { NODE_ENV: 'production', PLAZA_INTERNAL_SECRET: 'a-secret-of-our-own-0123456789abcdef' }, { PLAZA_MAX_DEPTH: '8', PLAZA_APQ: 'false' }]) {
      const config = readGatewayConfig([], env);
      expect(config.security).toEqual(securityOf(config));
      expect(config.operations).toEqual(operationsOf(config));
      expect(config.persistedQueries).toEqual(persistedQueriesOf(config));
      expect(config.pages).toEqual(pagesOf(config));
      expect(config.responseCache).toEqual(responseCacheOf(config));
      expect(config.redisUrl).toBeNull();
    }
    expect(readGatewayConfig([], { PLAZA_MAX_DEPTH: '8' }).security.maxDepth).toBe(8);
  });

  it('a flag wins over its variable, and its wrong value names the variable', () => {
    const config = readGatewayConfig(['--port', '8080', '--supergraph', 'elsewhere.graphql'], { PLAZA_GATEWAY_PORT: '9090', PLAZA_SUPERGRAPH: 'x.graphql' });
    expect(config.port).toBe(8080);
    expect(config.supergraphPath).toBe(path.resolve('elsewhere.graphql'));
    expect(() => readGatewayConfig(['--port', 'eighty'], {})).toThrow(/PLAZA_GATEWAY_PORT: expected a port number 0-65535, got "eighty"/);
  });

  it('a process reads only the settings of its parts', () => {
    // a subgraph does not fail on a gateway variable, nor the gateway on a subgraph's
    expect(readSubgraphConfig('users', { PLAZA_MAX_DEPTH: 'deep' }).port).toBe(4001);
    expect(readGatewayConfig([], { PLAZA_SEED: 'maybe', PLAZA_USERS_DATABASE_URL: 'nope' }).port).toBe(4000);
    // nor one subgraph on another's database, nor a subgraph other than coupons on the provider key
    expect(readSubgraphConfig('users', { PLAZA_COUPONS_DATABASE_URL: 'nope', PLAZA_PAYMENT_PROVIDER_KEY: 'short' }).name).toBe('users');
    expect(() => readSubgraphConfig('coupons', { PLAZA_COUPONS_DATABASE_URL: 'nope' })).toThrow(/PLAZA_COUPONS_DATABASE_URL: expected a postgres:\/\/ URL or file:<path>/);
  });

  it('secrets never show in a message', () => {
    expect(() => readSubgraphConfig('users', { PLAZA_INTERNAL_SECRET: 'too-short-secret' })).toThrow('PLAZA_INTERNAL_SECRET: expected at least 32 characters, got "<hidden>"');
    expect(() => readGatewayConfig([], { NODE_ENV: 'production' })).toThrow('PLAZA_INTERNAL_SECRET: expected a secret shared by gateway and subgraphs (required in production), got nothing');
  });

  it('the heap target, the bench and the command-line tools read the schema too, and wrong values name their variable', () => {
    expect(readHeapTargetMiB({}, 72)).toBe(72);
    expect(readHeapTargetMiB({ PLAZA_HEAP_TARGET_MIB: '0' })).toBe(0);
    expect(() => readHeapTargetMiB({ PLAZA_HEAP_TARGET_MIB: '-1' })).toThrow(/PLAZA_HEAP_TARGET_MIB: expected a whole number of MiB/);
    const bench = settingsOf('bench');
    expect(parseSettings({}, bench)).toMatchObject({ BENCH_DURATION: null, BENCH_WARMUP: 5, BENCH_SECTIONS: ['gateways', 'overhead', 'money', 'hostile', 'memory', 'impressions', 'subscriptions'], BENCH_HOSTILE_FAMILIES: [] });
    expect(parseSettings({ BENCH_GATEWAY_CPUS: '' }, bench).BENCH_GATEWAY_CPUS).toBe('');
    expect(() => parseSettings({ BENCH_ROUNDS: '0' }, bench)).toThrow(/BENCH_ROUNDS: expected a whole number of at least 1/);
    expect(() => parseSettings({ BENCH_GATEWAY_CPU_QUOTA: '0.01' }, bench)).toThrow(/BENCH_GATEWAY_CPU_QUOTA: expected 0 \(no quota\)/);
    expect(() => parseSettings({ BENCH_SECTIONS: 'gateways,speed' }, bench)).toThrow(/BENCH_SECTIONS: expected sections among .*, got "speed"/);
    expect(() => parseSettings({ PLAZA_LOG_LEVEL: 'loud' }, ['PLAZA_LOG_LEVEL'])).toThrow(/PLAZA_LOG_LEVEL: expected fatal, error, warn, info, debug, trace, silent/);
    expect(parseSettings({}, ['PLAZA_MIGRATIONS_POSTGRES_URL']).PLAZA_MIGRATIONS_POSTGRES_URL).toBe('postgres://postgres@127.0.0.1:5432');
  });
});
