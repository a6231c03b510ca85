import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../gateway/plugins/identity.ts';
import { ErrorCode } from '../platform/errors.ts';
import { hostileDocuments } from './support/hostile-documents.ts';
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

  it('every generated hostile document gets an answer or a 4xx with a stable code, and no body shows SQL or a stack', async () => {
    // as in production: no stack traces in answers
    const production = await plaza.replica({ production: true });
    const documents = hostileDocuments();
    const known = new Set<string>([...Object.values(ErrorCode), ...APOLLO_CODES]);
    const problems: string[] = [];
    const byCode = new Map<string, number>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < documents.length) {
          const document = documents[next++];
          const { status, text } = await send(production.url, { kind: document.shape, body: document.body });
          const where = `${document.shape} × ${document.size}: ${status}`;
          let body: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
          try {
            body = JSON.parse(text);
          } catch {
            problems.push(`${where}, not JSON: ${text.slice(0, 200)}`);
            continue;
          }
          if (status >= 500 || status === 0) problems.push(`${where} ${text.slice(0, 300)}`);
          if (LEAKS.test(text)) problems.push(`${where}, leaks: ${text.slice(0, 300)}`);
          // a refusal: no data at all
          if (body.data === undefined && (status < 400 || status >= 500)) problems.push(`${where}, refused without a 4xx`);
          for (const error of body.errors ?? []) {
            const code = error.extensions?.code;
            if (typeof code !== 'string' || !known.has(code)) problems.push(`${where}, error code ${String(code)}`);
            else byCode.set(code, (byCode.get(code) ?? 0) + 1);
          }
        }
      }),
    );
    console.log(`hostile documents: ${documents.length} in ${((Date.now() - started) / 1000).toFixed(1)} s; codes ${JSON.stringify(Object.fromEntries(byCode))}`);
    expect(problems.slice(0, 10)).toEqual([]);
    const after = await plaza.query('{ merchant(id: "m1") { name } }');
    expect(after.status).toBe(200);
  }, 300_000);
});

/** Codes Apollo Server gives its own refusals. */
const APOLLO_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE'];
/** What must never reach a client: SQL, database names, stack traces, source paths. */
const LEAKS = /\bselect\b[^"]{0,80}\bfrom\b|\binsert into\b|sqlite|postgres|knex|mikro-?orm|stacktrace|\n\s+at |\bat [\w.<>]+ \(|\.(?:ts|js|mjs|cjs):\d+/i;

