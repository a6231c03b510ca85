import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// the CommonJS build Apollo's schema objects come from (bundlers may pick graphql's .mjs for a bare 'graphql')
import { printSchema } from 'graphql/utilities/printSchema.js';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { ErrorCode } from '../../platform/errors.ts';
import { pathOf, sendError, sendJson } from '../../platform/http.ts';
import type { GatewayPlugin } from '../plugin.ts';
import { sendFile, sendNotBuilt, staticPage } from '../static-files.ts';
import { issueToken } from './identity.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One operation a client ships, as the playground lists it. */
export interface ListedOperation {
  /** Operation name. */
  name: string;
  /** `query`, `mutation` or `subscription`. */
  kind: string;
  /** SHA-256 (hex) of the document: the APQ hash / trusted-document id. */
  id: string;
  document: string;
}

/** A client's registered operations. */
export interface ClientOperations {
  client: string;
  operations: ListedOperation[];
}

/** Options of the playground. */
export interface PlaygroundOptions {
  /** Folder of the built playground (index.html, assets/). Default dist/pages/playground. */
  dir?: string;
  /** GraphQL path: a browser GET on it (Accept: text/html) opens the playground. Default /graphql. */
  graphqlPath?: string;
  /** HS256 secret the "Sign in" panel's development tokens are signed with; null turns the token endpoint off. */
  jwtSecret: string | null;
  /** Each client's registered operations. Default: every clients/<name>/generated/persisted-documents.json. */
  operations?: () => Promise<ClientOperations[]> | ClientOperations[];
}

export const PLAYGROUND_DEFAULTS = {
  dir: path.join(root, 'dist', 'pages', 'playground'),
  graphqlPath: '/graphql',
  operations: () => clientOperationsIn(path.join(root, 'clients')),
};

/** The playground's own endpoints. */
export const PLAYGROUND_PATH = '/playground/';
export const OPERATIONS_PATH = '/playground/operations.json';
export const TOKEN_PATH = '/playground/token';
/** The API schema as SDL: the playground's docs and completion read it here, so they need no introspection query. */
export const SCHEMA_PATH = '/playground/schema.graphql';

/** A user id a development token may be issued for. */
const USER_ID = /^[\w.-]{1,64}$/;

/** A document's operation; codegen prints the fragments it spreads first, so it is not always the first definition. */
function operationOf(document: string): OperationDefinitionNode | undefined {
  try {
    return parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return undefined;
  }
}

/** The operations each client under `clientsDir` ships, from its generated persisted-documents.json. */
export function clientOperationsIn(clientsDir: string): ClientOperations[] {
  if (!fs.existsSync(clientsDir)) return [];
  const clients: ClientOperations[] = [];
  for (const entry of fs.readdirSync(clientsDir, { withFileTypes: true })) {
    const file = path.join(clientsDir, entry.name, 'generated', 'persisted-documents.json');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const documents = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    const operations = Object.entries(documents).map(([id, document]) => {
      const operation = operationOf(document);
      return { id: id.replace(/^sha256:/, ''), kind: operation?.operation ?? 'query', name: operation?.name?.value ?? id, document };
    });
    clients.push({ client: entry.name, operations: operations.sort((a, b) => a.name.localeCompare(b.name)) });
  }
  return clients.sort((a, b) => a.client.localeCompare(b.client));
}

function wantsHtml(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

/**
 * GraphiQL served by the gateway, every asset bundled from npm (it works offline):
 * `/playground/`, or a browser's GET on the GraphQL path. Lists each client's registered
 * operations at `/playground/operations.json` and issues development tokens at
 * `POST /playground/token`. Never listed in production (see gateway/config.ts).
 */
export function usePlayground(options: PlaygroundOptions): GatewayPlugin {
  const settings = { ...PLAYGROUND_DEFAULTS, ...options };
  const page = path.join(settings.dir, 'index.html');
  const assets = staticPage(PLAYGROUND_PATH, settings.dir);
  let schemaSdl: string | null = null;
  return {
    name: 'playground',
    apollo: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ apiSchema }) {
            schemaSdl = printSchema(apiSchema);
          },
        };
      },
    },
    routes: (app) => {
      app.get(SCHEMA_PATH, (_request, reply) => {
        if (schemaSdl === null) return sendError(reply, 503, ErrorCode.SUBGRAPH_UNAVAILABLE, 'The schema is not loaded yet');
        return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(schemaSdl);
      });
      // a browser opening the GraphQL path gets the playground, before GraphQL sees the request
      app.addHook('onRequest', async (request, reply) => {
        if (pathOf(request) !== settings.graphqlPath || !wantsHtml(request)) return;
        return fs.existsSync(page) ? sendFile(reply, page) : sendNotBuilt(reply, settings.dir);
      });
      app.get(OPERATIONS_PATH, async (_request, reply) => sendJson(reply, 200, { clients: await settings.operations() }));
      app.route({
        method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: TOKEN_PATH,
        bodyLimit: 4096,
        handler: async (request, reply) => {
          if (request.method !== 'POST') return sendError(reply, 405, ErrorCode.BAD_REQUEST, 'POST {"user": "<id>"} to issue a development token');
          if (!settings.jwtSecret) return sendError(reply, 404, ErrorCode.NOT_FOUND, 'This gateway issues no development tokens');
          const user = (request.body as { user?: unknown } | undefined)?.user;
          if (typeof user !== 'string' || !USER_ID.test(user)) return sendError(reply, 400, ErrorCode.BAD_USER_INPUT, 'user must be a user id such as u1');
          return sendJson(reply, 200, { user, token: await issueToken(settings.jwtSecret, { userId: user, expiresIn: '12h' }) });
        },
      });
      assets(app);
    },
  };
}
