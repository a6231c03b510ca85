import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/config.ts';
import { apqEntryBytes, MemoryDocumentStore } from '../gateway/stores/memory.ts';

const HASH = 'a'.repeat(64);

describe('persisted-query settings are checked at start-up', () => {
  it('a wrong mode, keys file or bypass secret stops start-up naming its variable', () => {
    expect(() => readGatewayConfig([], { PLAZA_PQ_MODE: 'sometimes' })).toThrow(/PLAZA_PQ_MODE: expected allow, audit, safelist, require-id/);
    expect(() => readGatewayConfig([], { PLAZA_PQ_CLIENT_MODES: 'homepage=strict' })).toThrow(/PLAZA_PQ_CLIENT_MODES/);
    expect(() => readGatewayConfig([], { PLAZA_PARTNER_KEYS_FILE: '/nonexistent/keys.json' })).toThrow(/PLAZA_PARTNER_KEYS_FILE: expected a readable JSON file/);
    expect(() => readGatewayConfig([], { PLAZA_PARTNER_KEYS: '[{"name":"acme","keySha256":"not-a-hash"}]' })).toThrow(/PLAZA_PARTNER_KEYS partner #0 \(acme\): expected keySha256/);
    expect(() => readGatewayConfig([], { PLAZA_PARTNER_KEYS: `[{"name":"acme","keySha256":"${HASH}"},{"name":"acme","keySha256":"${'b'.repeat(64)}"}]` })).toThrow(/a name used once/);
    expect(() => readGatewayConfig([], { PLAZA_PQ_BYPASS_SECRET: 'short' })).toThrow(/PLAZA_PQ_BYPASS_SECRET: expected at least 32 characters/);
    expect(() => readGatewayConfig([], { PLAZA_APQ_MAX_BYTES: '-1' })).toThrow(/PLAZA_APQ_MAX_BYTES/);
  });

  it('partners from a keys file default to require-id and keep only hashes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-keys-'));
    const file = path.join(dir, 'keys.json');
    fs.writeFileSync(file, JSON.stringify({ partners: [{ name: 'acme', keySha256: HASH }, { name: 'gone', keySha256: 'c'.repeat(64), revoked: true, mode: 'audit' }] }));
    const config = readGatewayConfig([], { PLAZA_PARTNER_KEYS_FILE: file, PLAZA_DATA_DIR: dir });
    expect(config.persistedQueries?.partners).toEqual([
      { name: 'acme', keySha256: HASH, mode: 'require-id', revoked: false },
      { name: 'gone', keySha256: 'c'.repeat(64), mode: 'audit', revoked: true },
    ]);
    expect(config.persistedQueries?.manifestDir).toBe(path.join(dir, 'manifests'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the in-memory APQ store', () => {
  it('keeps at most its byte budget, dropping the least recently used first', async () => {
    const id = (n: number) => String(n).padStart(64, '0');
    // room for three texts of 100 characters, as the store counts them
    const store = new MemoryDocumentStore(3 * apqEntryBytes(id(1), 'x'.repeat(100)));
    for (const n of [1, 2, 3]) await store.set(id(n), 'x'.repeat(100));
    expect(await store.get(id(1))).toBeDefined(); // 1 is now the most recently used
    await store.set(id(4), 'y'.repeat(100));
    expect(store.size).toBeLessThanOrEqual(store.maxBytes);
    expect(await store.get(id(2))).toBeUndefined();
    expect(await store.get(id(1))).toBe('x'.repeat(100));
    expect(await store.get(id(4))).toBe('y'.repeat(100));
    await store.set(id(5), 'z'.repeat(10_000)); // larger than the whole budget: not kept, nothing evicted
    expect(await store.get(id(5))).toBeUndefined();
    expect(await store.get(id(4))).toBeDefined();
  });
});
