/**
 * Persisted-query manifests, from operation files to the gateway:
 *   npm run pq -- manifest --client <name> --app-version <v> [--out manifest.json] <.graphql files or folders…>
 *   npm run pq -- validate <manifest.json>
 *   npm run pq -- publish <manifest.json> [--client <name>] [--app-version <v>] [--dir <folder>]
 *   npm run pq -- list
 *   npm run pq -- retire --client <name> --app-version <v>
 *   npm run pq -- usage [--gateway http://127.0.0.1:4000]
 *   npm run pq -- keygen --partner <name> [--mode require-id]
 * Operations are checked against the supergraph (PLAZA_SUPERGRAPH / --supergraph) and the
 * gateway's depth, shape and cost limits; an invalid manifest is never written or published.
 * Publishing goes to Redis when PLAZA_REDIS_URL is set, else to the watched folder
 * (PLAZA_PQ_MANIFEST_DIR, default data/manifests).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSupergraph } from '../engine/supergraph.ts';
import type { GraphQLSchema } from 'graphql';
import { CLIENT_MODES, readPersistedQueriesConfig, readSecurityConfig } from '../config.ts';
import { InvalidManifestError, manifestFromDocuments, operationLimits, readManifest, registerManifest, type Manifest } from '../manifests.ts';
import { localApiSchema } from '../analysis/api-schema.ts';
import { authorizeOperation, readAuthorizationPolicy } from '../analysis/authorization.ts';
import { partnerContractFor } from '../contract.ts';
import type { Viewer } from '../../platform/internal-token.ts';
import { settingsFor } from '../../platform/settings.ts';
import { hashApiKey } from '../plugins/clients.ts';
import { BYPASS_HEADER, USAGE_PATH } from '../plugins/persisted-documents.ts';
import { openPersistedQueryStores } from '../stores/index.ts';
import { NAME_PATTERN, type UsageRow } from '../stores/types.ts';
import { isOperation, retirementVerdict, USAGE_HISTORY_BUDGET, type UsageSubject, type UsageTrail } from '../stores/usage-history.ts';
import { HISTORY_PATH } from '../plugins/usage-history.ts';

const USAGE = `usage: npm run pq -- <command> …
  manifest --client <name> --app-version <v> [--out <file>] <files or folders…>   build and check a manifest from .graphql operations
  validate <manifest.json> [--client <name>]                                    check a manifest against the supergraph (a partner's: the partner contract and its key's scopes) and limits
  publish <manifest.json> [--client <name>] [--app-version <v>] [--dir <folder>]  check, then publish to Redis or the watched folder
  list                                                                          published manifests
  retire --client <name> --app-version <v>                                      unpublish one app version's manifest
  usage [--gateway <url>]                                                       uses per client, app version and operation
  usage --operation <name or id> | --client <c> --app-version <v> | --field <Type.field> [--client <c>] [--days 30]
                                                                                safe to retire? uses per day in the window, first and last seen
  keygen --partner <name> [--mode <mode>]                                       a new partner API key and its keys-file entry
common: --supergraph <file> (default PLAZA_SUPERGRAPH or schema/supergraph.graphql), --help`;

/** A refusal the CLI reports as is, exiting 1. */
export class PqError extends Error {}

export interface PqIo {
  out(line: string): void;
  env: NodeJS.ProcessEnv;
}

async function loadSchema(supergraphPath: string): Promise<{ schema: GraphQLSchema; sdl: string }> {
  const sdl = fs.readFileSync(supergraphPath, 'utf8');
  // the same API schema the gateway serves
  return { schema: localApiSchema(loadSupergraph(sdl).schema), sdl };
}

function graphqlFiles(target: string): string[] {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new PqError(`${target}: no such file or folder`);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .filter((e) => e.name !== 'generated' && e.name !== 'node_modules')
    .flatMap((e) => (e.isDirectory() ? graphqlFiles(path.join(target, e.name)) : e.name.endsWith('.graphql') ? [path.join(target, e.name)] : []))
    .sort();
}

function requireName(flag: string, value: string | undefined): string {
  if (!value) throw new PqError(`${flag} is required\n${USAGE}`);
  if (!NAME_PATTERN.test(value)) throw new PqError(`${flag} must be letters, digits and ._+- (got ${JSON.stringify(value)})`);
  return value;
}

/**
 * Checks a manifest against the supergraph and limits; throws InvalidManifestError naming
 * each bad operation. A partner's manifest (its client is in the partner keys) is checked
 * against the partner contract, and may ask only for the scopes the partner's key carries.
 */
async function check(manifest: Manifest, source: string, supergraphPath: string, env: NodeJS.ProcessEnv, client?: string): Promise<number> {
  const { schema, sdl } = await loadSchema(supergraphPath);
  const name = client ?? manifest.client ?? manifest.operations[0]?.clientName;
  const partner = name ? readPersistedQueriesConfig(env).partners.find((p) => p.name === name) : undefined;
  const limits = operationLimits(sdl, readSecurityConfig(env));
  if (!partner) return registerManifest(source, manifest, schema, limits, client).length;
  let registered;
  try {
    registered = registerManifest(source, manifest, partnerContractFor(schema, sdl), limits, client);
  } catch (error) {
    if (!(error instanceof InvalidManifestError)) throw error;
    throw new InvalidManifestError(
      source,
      error.problems.map((p) => ({ ...p, message: `${p.message} (partner "${partner.name}" is held to the partner contract, schema/partner-contract.graphql)` })),
    );
  }
  const policy = readAuthorizationPolicy(sdl);
  const key: Viewer = { userId: `partner:${partner.name}`, scopes: partner.scopes ?? [] };
  const problems = registered.flatMap((op) =>
    authorizeOperation(schema, policy, key, op.document, op.name)
      .denied.filter((d) => d.code === 'FORBIDDEN')
      .map((d) => ({ operation: op.name, message: `${d.coordinate} needs a scope the key of "${partner.name}" does not carry (its scopes: ${key.scopes.join(' ') || 'none'})` })),
  );
  if (problems.length) throw new InvalidManifestError(source, problems);
  return registered.length;
}

function printUsage(rows: UsageRow[], io: PqIo): void {
  if (!rows.length) {
    io.out('no uses counted yet');
    return;
  }
  io.out(['client', 'app version', 'operation', 'outcome', 'uses'].join('\t'));
  for (const r of rows.sort((a, b) => a.client.localeCompare(b.client) || a.appVersion.localeCompare(b.appVersion) || b.count - a.count)) {
    io.out([r.client, r.appVersion, r.operationId, r.outcome, String(r.count)].join('\t'));
  }
}

/** Reads the usage history: from Redis when shared, else from the gateway (which keeps it in memory). */
export async function readHistory(subject: UsageSubject, days: number, settings: Parameters<typeof openPersistedQueryStores>[0], secret: string | null, gateway: string): Promise<UsageTrail[]> {
  if (settings.redisUrl) {
    const stores = openPersistedQueryStores(settings);
    try {
      return await stores.history.read(subject, days);
    } finally {
      await stores.close();
    }
  }
  if (!secret) throw new PqError('without PLAZA_REDIS_URL, usage asks the gateway: set PLAZA_PQ_BYPASS_SECRET to its operator secret');
  const url = new URL(`${HISTORY_PATH}?subject=${subject}&days=${days}`, gateway);
  const res = await fetch(url, { headers: { [BYPASS_HEADER]: secret } });
  if (!res.ok) throw new PqError(`${url}: HTTP ${res.status}`);
  return ((await res.json()) as { trails: UsageTrail[] }).trails;
}

/** `pq usage --operation | --app-version | --field`: is it safe to retire? */
async function printRetirement(
  values: { operation?: string; field?: string; client?: string; 'app-version'?: string; days?: string; gateway?: string },
  settings: Parameters<typeof openPersistedQueryStores>[0],
  secret: string | null,
  io: PqIo,
): Promise<void> {
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > USAGE_HISTORY_BUDGET.days) throw new PqError(`--days must be a whole number 1-${USAGE_HISTORY_BUDGET.days}`);
  let subject: UsageSubject;
  let what: string;
  let matches: (trail: UsageTrail) => boolean;
  if (values.field) {
    if (!/^[_A-Za-z]\w*\.[_A-Za-z]\w*$/.test(values.field)) throw new PqError('--field must be a schema coordinate, Type.field');
    subject = 'field';
    what = `field ${values.field}`;
    matches = (t) => t.key === values.field;
  } else if (values.operation) {
    subject = 'operation';
    what = `operation ${values.operation}${values.client ? ` of ${values.client}` : ''}`;
    matches = (t) => isOperation(t, values.operation!, values.client);
  } else {
    const client = requireName('--client', values.client);
    const appVersion = requireName('--app-version', values['app-version']);
    subject = 'app';
    what = `app version ${client}@${appVersion}`;
    matches = (t) => t.key === `${client}@${appVersion}`;
  }
  const verdict = retirementVerdict(await readHistory(subject, days, settings, secret, values.gateway!), matches);
  for (const trail of verdict.trails) {
    io.out(`${trail.key}\tfirst seen ${trail.firstSeen}\tlast seen ${trail.lastSeen}`);
    for (const [day, count] of Object.entries(trail.days)) io.out(`  ${day}\t${count}`);
  }
  io.out(
    verdict.safe
      ? `${what}: safe to retire, no use in the last ${days} day(s)${verdict.trails.length ? '' : ' (never recorded)'}`
      : `${what}: not safe to retire, ${verdict.uses} use(s) in the last ${days} day(s), last seen ${verdict.trails.map((t) => t.lastSeen).sort().at(-1)}`,
  );
}

/** The command line, read strictly: an unknown option or a missing value is a refusal naming it, with the usage. */
function readArgs(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        client: { type: 'string' },
        'app-version': { type: 'string' },
        out: { type: 'string' },
        dir: { type: 'string' },
        gateway: { type: 'string', default: 'http://127.0.0.1:4000' },
        supergraph: { type: 'string' },
        partner: { type: 'string' },
        mode: { type: 'string', default: 'require-id' },
        operation: { type: 'string' },
        field: { type: 'string' },
        days: { type: 'string', default: '30' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new PqError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** Runs one pq command. */
export async function runPq(argv: string[], io: PqIo): Promise<void> {
  const { values, positionals } = readArgs(argv);
  if (values.help || positionals[0] === 'help') {
    io.out(USAGE);
    return;
  }
  const [command, ...rest] = positionals;
  const env = io.env;
  const settings = settingsFor(['PLAZA_SUPERGRAPH', 'PLAZA_REDIS_URL'], env);
  const supergraphPath = values.supergraph !== undefined ? path.resolve(values.supergraph) : settings.PLAZA_SUPERGRAPH;
  const pq = readPersistedQueriesConfig(env);
  const storeSettings = { ...pq, redisUrl: settings.PLAZA_REDIS_URL, manifestDir: values.dir ? path.resolve(values.dir) : pq.manifestDir };

  switch (command) {
    case 'manifest': {
      const client = requireName('--client', values.client);
      const appVersion = requireName('--app-version', values['app-version']);
      if (!rest.length) throw new PqError(`name the .graphql files or folders to read\n${USAGE}`);
      const files = rest.flatMap(graphqlFiles).map((file) => ({ path: file, text: fs.readFileSync(file, 'utf8') }));
      const manifest = manifestFromDocuments(files, client, appVersion);
      const count = await check(manifest, `${client}@${appVersion}`, supergraphPath, env, client);
      const json = JSON.stringify(manifest, null, 2) + '\n';
      if (values.out) {
        fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
        fs.writeFileSync(values.out, json);
        io.out(`wrote ${values.out}: ${count} operation(s) for ${client}@${appVersion}`);
      } else io.out(json.trimEnd());
      return;
    }
    case 'validate': {
      const file = rest[0];
      if (!file) throw new PqError(`name the manifest file\n${USAGE}`);
      const manifest = readManifest(file, fs.readFileSync(file, 'utf8'));
      const count = await check(manifest, file, supergraphPath, env, values.client ?? manifest.client);
      io.out(`${file}: ${count} operation(s), all valid`);
      return;
    }
    case 'publish': {
      const file = rest[0];
      if (!file) throw new PqError(`name the manifest file\n${USAGE}`);
      const json = fs.readFileSync(file, 'utf8');
      const manifest = readManifest(file, json);
      const client = requireName('--client (or the manifest\'s "client")', values.client ?? manifest.client ?? manifest.operations[0]?.clientName);
      const appVersion = requireName('--app-version (or the manifest\'s "appVersion")', values['app-version'] ?? manifest.appVersion);
      const count = await check(manifest, file, supergraphPath, env, client);
      const stores = openPersistedQueryStores(storeSettings);
      try {
        if (!stores.manifests) throw new PqError('nowhere to publish: set PLAZA_REDIS_URL or PLAZA_PQ_MANIFEST_DIR, or pass --dir');
        await stores.manifests.publish({ client, appVersion, json });
      } finally {
        await stores.close();
      }
      io.out(`published ${count} operation(s) for ${client}@${appVersion} to ${storeSettings.redisUrl ? 'Redis' : storeSettings.manifestDir}`);
      return;
    }
    case 'list': {
      const stores = openPersistedQueryStores(storeSettings);
      try {
        for (const m of (await stores.manifests?.list()) ?? []) {
          let count: number | string;
          try {
            count = readManifest(m.client, m.json).operations.length;
          } catch {
            count = 'invalid';
          }
          io.out(`${m.client}\t${m.appVersion}\t${count} operation(s)`);
        }
      } finally {
        await stores.close();
      }
      return;
    }
    case 'retire': {
      const client = requireName('--client', values.client);
      const appVersion = requireName('--app-version', values['app-version']);
      const stores = openPersistedQueryStores(storeSettings);
      try {
        if (!(await stores.manifests?.retire(client, appVersion))) throw new PqError(`${client}@${appVersion} is not published`);
      } finally {
        await stores.close();
      }
      io.out(`retired ${client}@${appVersion}`);
      return;
    }
    case 'usage': {
      if (values.operation || values.field || values['app-version']) {
        await printRetirement(values, storeSettings, pq.bypassSecret, io);
        return;
      }
      if (storeSettings.redisUrl) {
        const stores = openPersistedQueryStores(storeSettings);
        try {
          printUsage(await stores.usage.report(), io);
        } finally {
          await stores.close();
        }
        return;
      }
      // Without Redis each gateway counts in memory: ask it.
      if (!pq.bypassSecret) throw new PqError('without PLAZA_REDIS_URL, usage asks the gateway: set PLAZA_PQ_BYPASS_SECRET to its operator secret');
      const url = new URL(USAGE_PATH, values.gateway);
      const res = await fetch(url, { headers: { [BYPASS_HEADER]: pq.bypassSecret } });
      if (!res.ok) throw new PqError(`${url}: HTTP ${res.status}`);
      printUsage(((await res.json()) as { uses: UsageRow[] }).uses, io);
      return;
    }
    case 'keygen': {
      const partner = requireName('--partner', values.partner);
      if (!(CLIENT_MODES as readonly string[]).includes(values.mode!)) throw new PqError(`--mode must be one of ${CLIENT_MODES.join(', ')}`);
      const key = `pk_${randomBytes(24).toString('base64url')}`;
      io.out(`API key (give it to ${partner}; it is not stored anywhere): ${key}`);
      io.out(`keys-file entry: ${JSON.stringify({ name: partner, keySha256: hashApiKey(key), mode: values.mode })}`);
      return;
    }
    default:
      throw new PqError(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  runPq(process.argv.slice(2), { out: (line) => console.log(line), env: process.env }).catch((error: unknown) => {
    const fileProblem = error instanceof Error && /^E(NOENT|ACCES|ISDIR)$/.test(String((error as NodeJS.ErrnoException).code));
    if (error instanceof PqError || error instanceof InvalidManifestError || fileProblem || (error instanceof Error && error.name === 'ConfigError')) {
      console.error(`pq: ${error.message}`);
    } else console.error(error);
    process.exitCode = 1;
  });
}
