/**
 * One guild-shaped subgraph as a process of its own, for the benchmark:
 *
 *   node --import tsx bench/guild/subgraph.ts <accounts|inventory|products|reviews>   (BENCH_GUILD_PORT, PLAZA_HOST)
 *
 * @apollo/subgraph's schema over node:http, kept lean so the gateway in front of it is what
 * a benchmark measures: POST /graphql with a JSON body, each distinct document parsed and
 * validated once, executed with graphql-js, the answer written as JSON. Headers are ignored
 * (Plaza's gateway sends its internal token; nothing here checks it). Reports the requests it
 * served over IPC ({ type: 'stats' } -> { requests, statements: 0 }), as bench/subgraph.ts does.
 */
import http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { GUILD_SUBGRAPHS, guildTypeDefs, type GuildSubgraph } from './graph.ts';
import { GUILD_RESOLVERS } from './resolvers.ts';

const name = process.argv[2] as GuildSubgraph;
if (!GUILD_SUBGRAPHS.includes(name)) {
  console.error(`usage: bench/guild/subgraph.ts <${GUILD_SUBGRAPHS.join('|')}>`);
  process.exit(2);
}

const schema = buildSubgraphSchema({ typeDefs: guildTypeDefs(name), resolvers: GUILD_RESOLVERS[name] });

/** Parsed and validated documents by text (a gateway sends a handful; at most 1000 kept). */
const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
function documentOf(query: string): DocumentNode | readonly GraphQLError[] {
  let known = documents.get(query);
  if (!known) {
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      known = errors.length ? errors : document;
    } catch (error) {
      known = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (documents.size >= 1000) documents.clear();
    documents.set(query, known);
  }
  return known;
}

interface Body {
  query?: unknown;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

async function answer(raw: string): Promise<{ status: number; result: ExecutionResult }> {
  let body: Body;
  try {
    body = JSON.parse(raw) as Body;
  } catch {
    return { status: 400, result: { errors: [new GraphQLError('the body is not JSON')] } };
  }
  if (typeof body.query !== 'string') return { status: 400, result: { errors: [new GraphQLError('no query')] } };
  const document = documentOf(body.query);
  if (!('kind' in document)) return { status: 400, result: { errors: document } };
  const result = await execute({ schema, document, variableValues: body.variables ?? undefined, operationName: body.operationName ?? undefined, contextValue: {} });
  return { status: 200, result };
}

let requests = 0;
const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    requests++;
    answer(Buffer.concat(chunks).toString('utf8')).then(
      ({ status, result }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      },
    );
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stats') process.send?.({ type: 'stats', name, requests, statements: 0 });
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

const host = process.env.PLAZA_HOST || '127.0.0.1';
server.listen(Number(process.env.BENCH_GUILD_PORT ?? 0), host, () => {
  const { port } = server.address() as { port: number };
  console.log(`guild ${name} subgraph ready at http://${host}:${port}/graphql`);
});
