import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/config.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('client codegen', () => {
  it('fails the build when a field a client asks for is renamed in the schema', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.yml') });
    const target = 'clients/homepage/generated/';
    const renamed = fs.readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8').replace(/\bnickname:/g, 'displayName:');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-codegen-'));
    fs.writeFileSync(path.join(tmp, 'renamed.graphql'), renamed);
    try {
      const only = { [target]: { ...(config.generates as Record<string, object>)[target], schema: path.join(tmp, 'renamed.graphql') } };
      await expect(generate({ ...config, generates: only, cwd: root, silent: true }, false)).rejects.toThrow(/nickname/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('pages settings', () => {
  it('turn the playground and the client pages on outside production', () => {
    expect(readGatewayConfig([], {}).pages).toMatchObject({ playground: true, clientPages: true });
    expect(readGatewayConfig([], { PLAZA_PLAYGROUND: 'false' }).pages).toMatchObject({ playground: false });
  });

  it('refuse to start a production gateway with the playground on, naming the variable', () => {
    const production = { NODE_ENV: 'production', PLAZA_INTERNAL_SECRET: 'x'.repeat(40) };
    expect(readGatewayConfig([], production).pages).toMatchObject({ playground: false, clientPages: false });
    expect(() => readGatewayConfig([], { ...production, PLAZA_PLAYGROUND: 'true' })).toThrow(/PLAZA_PLAYGROUND/);
    expect(() => readGatewayConfig([], { PLAZA_CLIENT_PAGES: 'maybe' })).toThrow(/PLAZA_CLIENT_PAGES/);
  });
});

describe('pages served by the gateway', () => {
  let plaza: Plaza;
  let unbuilt: Plaza;
  let emptyDir: string;
  beforeAll(async () => {
    emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-pages-'));
    [plaza, unbuilt] = await Promise.all([
      startPlaza({ pages: { playground: true, clientPages: true } }),
      startPlaza({ pages: { playground: true, clientPages: true, dir: emptyDir } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plaza?.stop(), unbuilt?.stop()]);
    fs.rmSync(emptyDir, { recursive: true, force: true });
  });

  it('never serves a file outside a page folder', async () => {
    const res = await fetch(new URL('/homepage/%2e%2e/%2e%2e/package.json', plaza.gateway.url));
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"dependencies"');
  });

  it('says how to build the pages when they are not built', async () => {
    for (const page of ['/homepage/', '/miniprogram/', '/playground/']) {
      const res = await fetch(new URL(page, unbuilt.gateway.url));
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build:pages');
    }
  });

  it('still answers GraphQL on /graphql for API clients', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { id } }');
    expect(status).toBe(200);
    expect(body.data.merchant.id).toBe('m1');
  });

  it('issues development tokens only for a well-formed user id', async () => {
    const bad = await fetch(new URL('/playground/token', plaza.gateway.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"../../etc"}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const good = await fetch(new URL('/playground/token', plaza.gateway.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"u3"}' });
    const { token } = await good.json();
    const { body } = await plaza.query('{ me { id } }', {}, { headers: { authorization: `Bearer ${token}` } });
    expect(body.data.me.id).toBe('u3');
  });

  it('serves the API schema to the playground without an introspection query', async () => {
    const res = await fetch(new URL('/playground/schema.graphql', plaza.gateway.url));
    expect(res.status).toBe(200);
    const sdl = await res.text();
    expect(sdl).toContain('homepage(city: String!): Homepage!');
    expect(sdl).not.toContain('join__');
  });
});
