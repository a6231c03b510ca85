import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../gateway/plugins/identity.ts';
import { hostileRequests, send } from './support/hostile.ts';
import { startPlaza, TEST_JWT_SECRET, type Plaza } from './support/plaza.ts';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza({ operations: { logLevel: 'silent' } });
});
afterAll(() => plaza?.stop());

describe('the gateway survives hostile input', () => {
  it('10,000 malformed or hostile requests get no 5xx, and a normal query still succeeds afterwards', async () => {
    const token = await issueToken(TEST_JWT_SECRET, { userId: 'u1' });
    const requests = hostileRequests(10_000, 20261123, token);
    const failures: { kind: string; status: number; text: string }[] = [];
    const byStatus = new Map<number, number>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < requests.length) {
          const request = requests[next++];
          const { status, text } = await send(plaza.gateway.url, request);
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          if (status >= 500 || status === 0) {
            failures.push({ kind: request.kind, status, text: text.slice(0, 300) });
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`fuzz: ${requests.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(byStatus))}`);
    expect(failures.slice(0, 5)).toEqual([]);
    const after = await plaza.query('{ merchant(id: "m1") { name } }');
    expect(after.status).toBe(200);
    expect(after.body.data.merchant.name).toMatch(/\w/);
  }, 300_000);
});
