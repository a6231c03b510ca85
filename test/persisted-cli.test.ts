import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { runPq } from '../gateway/cli/pq.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;

/** Runs `npm run pq -- …` as a user would (without npm's own start-up). */
function pq(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'gateway/cli/pq.ts', ...args],
      { cwd: ROOT, env: { ...process.env, PLAZA_REDIS_URL: '', PLAZA_PQ_MANIFEST_DIR: path.join(dir, 'published'), ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The same command in this process: what it printed, or the refusal it ended with. */
async function pqHere(args: string[], env: Record<string, string> = {}): Promise<{ ok: boolean; output: string }> {
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), env: { ...process.env, PLAZA_REDIS_URL: '', PLAZA_PQ_MANIFEST_DIR: path.join(dir, 'published'), ...env } };
  try {
    await runPq(args, io);
    return { ok: true, output: lines.join('\n') };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-pq-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm run pq', () => {
  it('--help prints the usage and an unknown option is named, never a stack trace', async () => {
    const help = await pq(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run pq -- <command>/);
    const wrong = await pq(['list', '--colour']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^pq: Unknown option '--colour'/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const missing = await pq(['validate', path.join(dir, 'no-such-manifest.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^pq: ENOENT/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('refuses a manifest with an unknown field or a badly typed variable, naming the operation and the problem, and writes nothing', async () => {
    write('bad/Offers.graphql', 'query GoodOffers { merchant(id: "m1") { offers(first: 2) { title } } }\nquery BadOffers { merchant(id: "m1") { offers { priceTag } } }');
    write('bad/Variable.graphql', 'query BadVariable($id: Int!) { merchant(id: $id) { name } }');
    const out = path.join(dir, 'bad-manifest.json');
    const result = await pq(['manifest', '--client', 'shop', '--app-version', '1.0.0', '--out', out, path.join(dir, 'bad')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('operation "BadOffers": Cannot query field "priceTag" on type "CouponTemplate"');
    expect(result.stderr).toMatch(/operation "BadVariable": Variable "\$id" of type "Int!" used in position expecting type "ID!"/);
    expect(result.stderr).not.toContain('GoodOffers');
    expect(fs.existsSync(out)).toBe(false);
  }, 180_000);

  it('refuses an operation over the depth limit, and a published manifest whose body no longer matches its id', async () => {
    write('deep/Deep.graphql', 'query TooDeep { merchant(id: "m1") { services { merchant { services { merchant { name } } } } } }');
    const deep = await pqHere(['manifest', '--client', 'shop', '--app-version', '1.0.0', path.join(dir, 'deep')], { PLAZA_MAX_DEPTH: '3' });
    expect(deep.ok).toBe(false);
    expect(deep.output).toMatch(/operation "TooDeep": QUERY_TOO_DEEP/);

    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'clients/partner/manifest.json'), 'utf8'));
    manifest.operations[0].body = manifest.operations[0].body.replace('title', 'title\n  subtitle');
    const edited = write('edited.json', JSON.stringify(manifest));
    const publish = await pqHere(['publish', edited]);
    expect(publish.ok).toBe(false);
    expect(publish.output).toContain(`operation "${manifest.operations[0].name}": id ${manifest.operations[0].id} is not the SHA-256 of its body`);
    expect(fs.existsSync(path.join(dir, 'published'))).toBe(false);
  });

  it('builds, publishes and lists a valid manifest', async () => {
    const out = path.join(dir, 'partner.json');
    const built = await pqHere(['manifest', '--client', 'acme-travel', '--app-version', '1.2.0', '--out', out, path.join(ROOT, 'clients/partner/operations')]);
    expect(built).toEqual({ ok: true, output: `wrote ${out}: 2 operation(s) for acme-travel@1.2.0` });
    const manifest = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1, client: 'acme-travel', appVersion: '1.2.0' });
    expect(manifest.operations.map((op: { name: string }) => op.name)).toEqual(['PartnerCityCards', 'PartnerMerchantOffers']);
    const published = await pqHere(['publish', out]);
    expect(published.ok).toBe(true);
    expect(fs.existsSync(path.join(dir, 'published', 'acme-travel@1.2.0.json'))).toBe(true);
    const listed = await pqHere(['list']);
    expect(listed.output).toContain('acme-travel\t1.2.0\t2 operation(s)');
  });

  it('a partner cannot validate or publish a manifest asking for a field outside the partner contract', async () => {
    const keys = JSON.stringify([{ name: 'acme-travel', keySha256: 'a'.repeat(64) }]);
    write('review/Review.graphql', 'query PartnerReview { placementsForReview(first: 5) { id title } }');
    const built = await pqHere(['manifest', '--client', 'acme-travel', '--app-version', '2.0.0', '--out', path.join(dir, 'review.json'), path.join(dir, 'review')]);
    // nobody said acme-travel is a partner: the whole graph is the yardstick
    expect(built.ok).toBe(true);
    const validated = await pqHere(['validate', path.join(dir, 'review.json')], { PLAZA_PARTNER_KEYS: keys });
    expect(validated.ok).toBe(false);
    expect(validated.output).toContain('operation "PartnerReview": Cannot query field "placementsForReview" on type "Query". (partner "acme-travel" is held to the partner contract');
    const published = await pqHere(['publish', path.join(dir, 'review.json'), '--dir', path.join(dir, 'review-published')], { PLAZA_PARTNER_KEYS: keys });
    expect(published.ok).toBe(false);
    expect(published.output).toContain('Cannot query field "placementsForReview"');
    expect(fs.existsSync(path.join(dir, 'review-published'))).toBe(false);
    // the partner's own operations are inside the contract
    const own = await pqHere(['validate', path.join(ROOT, 'clients/partner/manifest.json')], { PLAZA_PARTNER_KEYS: keys });
    expect(own).toEqual({ ok: true, output: `${path.join(ROOT, 'clients/partner/manifest.json')}: 2 operation(s), all valid` });
  });

  it("a partner cannot publish an operation needing a scope its key does not carry", async () => {
    const stats = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@tag", "@requiresScopes"])
      type Query {
        openCities: [String!]! @tag(name: "partner")
        cityStats(city: String!): CityStats @tag(name: "partner") @requiresScopes(scopes: [["partner:stats"]])
      }
      type CityStats @tag(name: "partner") { city: String! visits: Int! }`;
    const composed = composeServices([{ name: 'stats', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(stats) }]);
    expect(composed.errors).toBeUndefined();
    const supergraph = write('stats/supergraph.graphql', composed.supergraphSdl!);
    write('stats/ops/Stats.graphql', 'query PartnerStats { openCities cityStats(city: "Shanghai") { visits } }');
    const manifest = path.join(dir, 'stats/manifest.json');
    expect((await pqHere(['manifest', '--supergraph', supergraph, '--client', 'stats-partner', '--app-version', '1.0.0', '--out', manifest, path.join(dir, 'stats/ops')])).ok).toBe(true);
    const keys = (scopes: string[]) => JSON.stringify([{ name: 'stats-partner', keySha256: 'b'.repeat(64), scopes }]);
    const without = await pqHere(['validate', '--supergraph', supergraph, manifest], { PLAZA_PARTNER_KEYS: keys(['partner:offers']) });
    expect(without.ok).toBe(false);
    expect(without.output).toContain('operation "PartnerStats": Query.cityStats needs a scope the key of "stats-partner" does not carry (its scopes: partner:offers)');
    const withScope = await pqHere(['validate', '--supergraph', supergraph, manifest], { PLAZA_PARTNER_KEYS: keys(['partner:stats']) });
    expect(withScope).toEqual({ ok: true, output: `${manifest}: 1 operation(s), all valid` });
  });
});
