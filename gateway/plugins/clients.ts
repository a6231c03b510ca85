import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../../platform/errors.ts';
import { HttpRefusal } from '../../platform/http.ts';
import { parsePartnerKeys, type PartnerKey } from '../config.ts';
import { sha256 } from '../manifests.ts';
import { UNKNOWN_CLIENT, type ClientIdentity } from '../context.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { NAME_PATTERN } from '../stores/types.ts';

/** Header a partner sends its API key in. */
export const API_KEY_HEADER = 'x-api-key';
/** Headers first-party apps name themselves with (Apollo's convention). */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';
export const CLIENT_VERSION_HEADER = 'apollographql-client-version';

/** Options of client identification. */
export interface ClientsOptions {
  /** Partner apps and their hashed keys. Default none. */
  partners?: PartnerKey[];
  /** File the partners came from: re-read when it changes, so a revocation takes effect without a restart. Default none. */
  partnerKeysFile?: string | null;
  /** Where a bad re-read of the keys file is reported (the previous keys stay in force). Default console.error. */
  onReloadError?: (error: unknown) => void;
}

export const CLIENTS_DEFAULTS = { partners: [] as PartnerKey[], partnerKeysFile: null, onReloadError: (error: unknown) => console.error(error) };

/** Client identification plus `clientOf(req)`, which later plugins use before the context exists. */
export interface ClientsPlugin extends GatewayPlugin {
  /** The calling app; throws HttpRefusal for a bad key or header. Kept in the request's state once known. */
  clientOf(request: FastifyRequest): ClientIdentity;
  /** The partner entry of a client, when it is a partner. */
  partner(name: string): PartnerKey | undefined;
  /** Every partner, as configured now. */
  partners(): PartnerKey[];
}

export function hashApiKey(key: string): string {
  return sha256(key);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Tells which app calls: a partner by its API key (`x-api-key`, compared by SHA-256 hash
 * only), a first-party app by `apollographql-client-name` / `-version`, otherwise unknown.
 * A wrong or revoked key is refused with 401; nobody can claim a partner's name without its key.
 */
export function useClients(options: ClientsOptions = {}): ClientsPlugin {
  const settings = { ...CLIENTS_DEFAULTS, ...options };
  let byHash = new Map<string, PartnerKey>();
  let byName = new Map<string, PartnerKey>();
  const load = (partners: PartnerKey[]) => {
    byHash = new Map(partners.map((p) => [p.keySha256, p]));
    byName = new Map(partners.map((p) => [p.name, p]));
  };
  load(settings.partners);

  const file = settings.partnerKeysFile;
  const reload = () => {
    try {
      load(parsePartnerKeys('PLAZA_PARTNER_KEYS_FILE', fs.readFileSync(file!, 'utf8')));
    } catch (error) {
      settings.onReloadError(error);
    }
  };
  if (file) fs.watchFile(file, { interval: 500, persistent: false }, reload);


  function identify(req: FastifyRequest): ClientIdentity {
    const version = header(req, CLIENT_VERSION_HEADER);
    if (version !== undefined && !NAME_PATTERN.test(version)) {
      throw new HttpRefusal(400, ErrorCode.BAD_REQUEST, `${CLIENT_VERSION_HEADER} must be letters, digits and ._+- (at most 100)`);
    }
    const key = header(req, API_KEY_HEADER);
    if (key !== undefined) {
      const partner = byHash.get(hashApiKey(key));
      if (!partner || partner.revoked) throw new HttpRefusal(401, ErrorCode.UNAUTHENTICATED, 'Unknown or revoked API key');
      return { name: partner.name, kind: 'partner', ...(version ? { version } : {}) };
    }
    const name = header(req, CLIENT_NAME_HEADER);
    if (name === undefined) return UNKNOWN_CLIENT;
    if (!NAME_PATTERN.test(name)) throw new HttpRefusal(400, ErrorCode.BAD_REQUEST, `${CLIENT_NAME_HEADER} must be letters, digits and ._+- (at most 100)`);
    if (byName.has(name)) throw new HttpRefusal(401, ErrorCode.UNAUTHENTICATED, `Client "${name}" is a partner: send its API key in ${API_KEY_HEADER}`);
    return { name, kind: 'first-party', ...(version ? { version } : {}) };
  }

  function clientOf(request: FastifyRequest): ClientIdentity {
    const state = request.plaza;
    if (!state.clientKnown) {
      state.client = identify(request);
      state.clientKnown = true;
    }
    return state.client;
  }

  return {
    name: 'clients',
    clientOf,
    partner: (name) => byName.get(name),
    partners: () => [...byName.values()],
    prepare(req, body) {
      clientOf(req);
      return body;
    },
    context(request) {
      clientOf(request);
    },
    async stop() {
      if (file) fs.unwatchFile(file, reload);
    },
  };
}

/** The client-identification plugin among a gateway's plugins (e.g. to name the client of a refused request). */
export function clientsIn(plugins: GatewayPlugin[]): ClientsPlugin | undefined {
  return plugins.find((p): p is ClientsPlugin => p.name === 'clients' && 'clientOf' in p);
}
