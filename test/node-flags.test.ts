/**
 * The gateway runs with the same Node flags wherever it is started (gateway/node-flags.ts):
 * the container image, its Kubernetes Deployment, `npm run gateway`, `npm start` and the
 * benchmark, and Node accepts them (a mistyped flag stops Node before it runs anything).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => fs.readFileSync(`${root}/${file}`, 'utf8');

describe("the gateway's Node flags", () => {
  it('are flags Node accepts, and they raise the young generation V8 would size by itself', () => {
    const limit = (flags: readonly string[]) =>
      Number(execFileSync(process.execPath, [...flags, '-p', "require('v8').getHeapStatistics().total_available_size"], { encoding: 'utf8' }));
    expect(GATEWAY_NODE_FLAGS.length).toBeGreaterThan(0);
    // a larger young generation leaves more of the heap's limit available (V8 counts it in)
    expect(limit(GATEWAY_NODE_FLAGS)).toBeGreaterThan(limit([]));
  });

  it('are the container image\'s default command and the Kubernetes Deployment\'s arguments', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('gateway/deploy/Dockerfile'));
    expect(cmd && JSON.parse(cmd[1])).toEqual([...GATEWAY_NODE_FLAGS, 'gateway/main.ts']);
    const args = /^\s*args: (\[.*"gateway\/main\.ts"\])$/m.exec(read('gateway/deploy/kubernetes/gateway.yaml'));
    expect(args && JSON.parse(args[1])).toEqual([...GATEWAY_NODE_FLAGS, 'gateway/main.ts']);
  });

  it('are what `npm run gateway` and `npm start` start the gateway with', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.gateway).toBe(`node --import tsx ${GATEWAY_NODE_FLAGS.join(' ')} gateway/main.ts`);
    expect(read('gateway/cli/start.ts')).toMatch(/run\('gateway', 'gateway\/main\.ts', \[\], urls, GATEWAY_NODE_FLAGS\)/);
  });
});
