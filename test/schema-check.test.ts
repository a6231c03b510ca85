import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromDocuments } from '../gateway/manifests.ts';
import { MemoryUsageHistory, usesOf } from '../gateway/stores/usage-history.ts';
import { checkSchema, formatReport, type SchemaCheckInput } from '../schema/check.ts';
import { composeSupergraph, subgraphSchema, SUPERGRAPH_PATH } from '../schema/compose.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAY = 24 * 3600 * 1000;
const current = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
const partnerManifest = fs.readFileSync(path.join(ROOT, 'clients/partner/manifest.json'), 'utf8');
const published = [{ client: 'acme-travel', appVersion: '1.0.0', json: partnerManifest }];

/** The supergraph the subgraphs compose into with one subgraph's schema edited. */
function proposedWith(subgraph: string, edit: (sdl: string) => string): string {
  return composeSupergraph((name) => (name === subgraph ? edit(subgraphSchema(name)) : subgraphSchema(name)));
}

function input(overrides: Partial<SchemaCheckInput>): SchemaCheckInput {
  return { current, proposed: current, manifests: published, partners: new Set(['acme-travel']), usage: null, days: 30, ...overrides };
}

describe('npm run schema -- check', () => {
  it('removing a field a registered operation uses fails, naming the operation and its client', () => {
    const proposed = proposedWith('coupons', (sdl) => sdl.replace(/^  remainingStock: .*\n/m, ''));
    const report = checkSchema(input({ proposed }));
    expect(report.failed).toBe(true);
    const removed = report.changes.find((c) => c.description === 'CouponTemplate.remainingStock was removed.');
    expect(removed).toMatchObject({ kind: 'breaking', type: 'FIELD_REMOVED' });
    expect(removed?.operations).toEqual([expect.objectContaining({ client: 'acme-travel', appVersion: '1.0.0', name: 'PartnerMerchantOffers' })]);
    const text = formatReport(report);
    expect(text).toContain('BREAKING  FIELD_REMOVED: CouponTemplate.remainingStock was removed.');
    expect(text).toContain('  breaks operation PartnerMerchantOffers of acme-travel@1.0.0');
    expect(text).toMatch(/Result: FAIL/);
  });

  it('a field unused for the window is reported safe to remove; used yesterday, the check fails naming the field', async () => {
    const proposed = proposedWith('merchants', (sdl) => sdl.replace(/^  address: String!\n/m, ''));
    const history = new MemoryUsageHistory();
    const now = Date.now();
    history.record(usesOf('homepage', '2.0.0', 'b'.repeat(64), 'StoreList', ['Merchant.stores', 'Store.address']), now - 40 * DAY);
    history.record(usesOf('homepage', '2.1.0', 'c'.repeat(64), 'StoreNames', ['Merchant.stores', 'Store.name']), now - DAY);
    const read = async () => ({ fields: await history.read('field', 30, now), operations: await history.read('operation', 30, now) });

    const report = checkSchema(input({ proposed, usage: await read() }));
    const removed = report.changes.find((c) => c.description === 'Store.address was removed.');
    expect(removed).toMatchObject({ kind: 'breaking', operations: [], recentFields: [], recentOperations: [] });
    expect(report.failed).toBe(false);
    expect(formatReport(report)).toContain('  safe to make: no registered operation uses it, and nothing used it in the last 30 day(s)');

    history.record(usesOf('homepage', '2.1.0', 'b'.repeat(64), 'StoreList', ['Merchant.stores', 'Store.address']), now - DAY);
    const again = checkSchema(input({ proposed, usage: await read() }));
    expect(again.failed).toBe(true);
    const change = again.changes.find((c) => c.description === 'Store.address was removed.');
    expect(change?.recentFields).toEqual([expect.objectContaining({ key: 'Store.address', uses: 1 })]);
    expect(formatReport(again)).toMatch(/breaks field Store\.address: 1 use\(s\) in the last 30 day\(s\), last seen/);
    await history.close();
  });

  it('untagging a field partners use breaks the partner contract: partners\u2019 operations fail, a first-party one does not', () => {
    const proposed = proposedWith('coupons', (sdl) => sdl.replace('remainingStock: Int! @tag(name: "partner")', 'remainingStock: Int!'));
    const partner = checkSchema(input({ proposed }));
    const change = partner.changes.find((c) => c.schema === 'partner' && c.description === 'CouponTemplate.remainingStock was removed.');
    expect(change?.operations.map((o) => o.name)).toEqual(['PartnerMerchantOffers']);
    expect(partner.failed).toBe(true);
    const firstParty = checkSchema(input({ proposed, partners: new Set() }));
    expect(firstParty.failed).toBe(false);
  });

  it('an added field is safe and a changed default is dangerous, neither fails', () => {
    const proposed = proposedWith('placements', (sdl) =>
      sdl.replace('placementsForReview(first: Int = 20)', 'placementsForReview(first: Int = 10)').replace(/^(  imageUrl: String!.*)$/m, '$1\n  imageAlt: String'),
    );
    const report = checkSchema(input({ proposed }));
    expect(report.changes.map((c) => [c.kind, c.type, c.description])).toEqual([
      ['dangerous', 'ARG_DEFAULT_VALUE_CHANGE', 'Query.placementsForReview arg first has changed defaultValue from 20 to 10.'],
      ['safe', 'FIELD_ADDED', 'Placement.imageAlt was added.'],
    ]);
    expect(report.failed).toBe(false);
  });
});

describe('the schema command', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-schema-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'schema/cli.ts', ...args],
        { cwd: ROOT, env: { ...process.env, PLAZA_REDIS_URL: '', PLAZA_PQ_BYPASS_SECRET: '', PLAZA_PQ_MANIFEST_DIR: path.join(dir, 'none') }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('exits 1 with a JSON report when a field a registered manifest uses would be removed, 0 when nothing uses it', async () => {
    // the committed graph, as if it had one more field than the working tree composes into
    const against = path.join(dir, 'against.graphql');
    fs.writeFileSync(against, proposedWith('coupons', (sdl) => sdl.replace(/^(  remainingStock: .*)$/m, '$1\n  legacyCode: String')));
    const manifest = manifestFromDocuments([{ path: 'legacy.graphql', text: 'query LegacyCodes { merchant(id: "m1") { offers { legacyCode } } }' }], 'old-app', '0.1.0');
    const file = path.join(dir, 'old-app.json');
    fs.writeFileSync(file, JSON.stringify(manifest));
    const unused = await run(['check', '--against', against]);
    expect(unused.code).toBe(0);
    expect(unused.stdout).toContain('BREAKING  FIELD_REMOVED: CouponTemplate.legacyCode was removed.');
    const used = await run(['check', '--json', '--against', against, '--manifest', file]);
    expect(used.code).toBe(1);
    const report = JSON.parse(used.stdout);
    expect(report.failed).toBe(true);
    expect(report.changes[0].operations).toEqual([expect.objectContaining({ client: 'old-app', appVersion: '0.1.0', name: 'LegacyCodes' })]);
  }, 120_000);
});
