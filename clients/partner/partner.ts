/**
 * An example partner app: it calls Plaza only by registered operation id (never with a
 * query text), with its API key, over GET so answers can come from a CDN.
 *   PLAZA_PARTNER_KEY=<key> npx tsx clients/partner/partner.ts PartnerCityCards '{"city":"Shanghai"}'
 * PLAZA_GATEWAY_URL defaults to http://127.0.0.1:4000/graphql. The manifest next to this
 * file (npm run pq -- manifest …) maps operation names to ids.
 */
import fs from 'node:fs';

interface Manifest {
  appVersion: string;
  operations: { id: string; name: string; type: string }[];
}

const manifest = JSON.parse(fs.readFileSync(new URL('./manifest.json', import.meta.url), 'utf8')) as Manifest;

/** Runs a registered operation by name; resolves to the parsed GraphQL answer and its HTTP status and Cache-Control. */
export async function callPlaza(
  operationName: string,
  variables: Record<string, unknown>,
  options: { gatewayUrl: string; apiKey: string },
): Promise<{ status: number; cacheControl: string | null; body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const operation = manifest.operations.find((op) => op.name === operationName);
  if (!operation) throw new Error(`${operationName} is not in the manifest; known: ${manifest.operations.map((op) => op.name).join(', ')}`);
  const url = new URL(options.gatewayUrl);
  url.searchParams.set('operationName', operationName);
  url.searchParams.set('variables', JSON.stringify(variables));
  url.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operation.id } }));
  const res = await fetch(url, {
    method: operation.type === 'query' ? 'GET' : 'POST',
    headers: {
      'x-api-key': options.apiKey,
      'apollographql-client-version': manifest.appVersion,
      // Plaza's CSRF protection: a non-browser client says so.
      'apollo-require-preflight': 'true',
    },
  });
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body: (await res.json()) as never };
}

if (process.argv[1] && new URL(import.meta.url).pathname === fs.realpathSync(process.argv[1])) {
  const [operationName = 'PartnerCityCards', variables = '{"city":"Shanghai"}'] = process.argv.slice(2);
  const apiKey = process.env.PLAZA_PARTNER_KEY;
  if (!apiKey) {
    console.error('set PLAZA_PARTNER_KEY to the API key Plaza issued you');
    process.exit(1);
  }
  const result = await callPlaza(operationName, JSON.parse(variables), {
    gatewayUrl: process.env.PLAZA_GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql',
    apiKey,
  });
  console.log(JSON.stringify(result, null, 2));
  if (result.status !== 200 || result.body.errors) process.exitCode = 1;
}
