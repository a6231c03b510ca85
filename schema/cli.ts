/**
 * Schema commands:
 *   npm run schema -- check [--json] [--days 30] [--base <git ref> | --against <supergraph>] [--manifest <file>…] [--gateway <url>]
 * Composes the working tree's subgraphs and checks the result against the committed
 * supergraph (schema/supergraph.graphql at git HEAD or `--base`, else the file; `--against` another):
 * every change classified, and for each breaking one the registered operations (every
 * published manifest, plus `--manifest` files) and recently used fields and operations
 * (usage over time, from Redis or a gateway) it would break. Exits 1 when something
 * clients use breaks, 2 when composition fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readPersistedQueriesConfig } from '../gateway/config.ts';
import { openPersistedQueryStores } from '../gateway/stores/index.ts';
import type { StoredManifest } from '../gateway/stores/types.ts';
import { readHistory } from '../gateway/cli/pq.ts';
import { checkSchema, formatReport, type SchemaCheckReport } from './check.ts';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose.ts';

const USAGE = `usage: npm run schema -- check [--json] [--days <1-92>] [--base <git ref> | --against <supergraph file>] [--manifest <file>…] [--gateway <url>]`;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The supergraph committed at a git ref (HEAD by default), or the file when there is no repository. */
function committedSupergraph(ref = 'HEAD', required = false): string {
  if (!/^[\w./~^-]+$/.test(ref)) throw new Error(`--base must be a git ref, got ${JSON.stringify(ref)}`);
  try {
    return execFileSync('git', ['show', `${ref}:schema/supergraph.graphql`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    if (required) throw new Error(`no schema/supergraph.graphql at git ref ${ref}`);
    return fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  }
}

export interface SchemaCliResult {
  code: number;
  output: string;
  report?: SchemaCheckReport;
}

export async function runSchema(argv: string[], env: NodeJS.ProcessEnv): Promise<SchemaCliResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        days: { type: 'string', default: '30' },
        against: { type: 'string' },
        base: { type: 'string' },
        manifest: { type: 'string', multiple: true },
        gateway: { type: 'string', default: 'http://127.0.0.1:4000' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { code: 2, output: `schema: ${(error as Error).message}\n${USAGE}` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { code: 0, output: USAGE };
  if (positionals[0] !== 'check') return { code: 2, output: USAGE };
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 92) return { code: 2, output: 'schema: --days must be a whole number 1-92' };

  let proposed: string;
  try {
    proposed = composeSupergraph();
  } catch (error) {
    return { code: 2, output: `schema: ${(error as Error).message}` };
  }
  let current: string;
  try {
    current = values.against ? fs.readFileSync(path.resolve(values.against), 'utf8') : committedSupergraph(values.base, values.base !== undefined);
  } catch (error) {
    return { code: 2, output: `schema: ${(error as Error).message}` };
  }

  const pq = readPersistedQueriesConfig(env);
  const settings = { ...pq, redisUrl: env.PLAZA_REDIS_URL || null };
  const stores = openPersistedQueryStores(settings);
  let manifests: StoredManifest[];
  try {
    manifests = (await stores.manifests?.list()) ?? [];
  } finally {
    await stores.close();
  }
  for (const file of values.manifest ?? []) {
    const json = fs.readFileSync(file, 'utf8');
    const meta = JSON.parse(json) as { client?: string; appVersion?: string };
    manifests.push({ client: meta.client ?? path.basename(file), appVersion: meta.appVersion ?? 'unversioned', json });
  }
  let usage = null;
  if (settings.redisUrl || pq.bypassSecret) {
    const [fields, operations] = await Promise.all([
      readHistory('field', days, settings, pq.bypassSecret, values.gateway!),
      readHistory('operation', days, settings, pq.bypassSecret, values.gateway!),
    ]);
    usage = { fields, operations };
  }
  const report = checkSchema({ current, proposed, manifests, partners: new Set(pq.partners.map((p) => p.name)), usage, days });
  return { code: report.failed ? 1 : 0, output: values.json ? JSON.stringify(report, null, 2) : formatReport(report), report };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  runSchema(process.argv.slice(2), process.env).then(
    ({ code, output }) => {
      (code === 2 ? console.error : console.log)(output);
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`schema: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
