/**
 * Prints a bearer token for development and testing:
 *   npm run -s token -- --user u1 [--scopes "platform:review"] [--expires 12h]
 * Signed with PLAZA_JWT_SECRET (the development default when unset), or, with
 * `--key private.jwk.json`, with that RS256/ES256 key as an identity provider would.
 * Issuer, audience and scope claim follow PLAZA_JWT_ISSUER, PLAZA_JWT_AUDIENCE and
 * PLAZA_JWT_SCOPE_CLAIM, like the gateway.
 *
 * A key pair for a local key set:
 *   npm run -s token -- --new-key ES256 --kid k1 --out keys/
 * writes keys/k1.private.jwk.json and adds the public key to keys/jwks.json
 * (serve it as PLAZA_JWKS_URL, or point PLAZA_JWKS_FILE at it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet, JWK } from 'jose';
import { DEV_JWT_SECRET, readSecurityConfig } from '../config.ts';
import { settingsFor } from '../../platform/settings.ts';
import { generateSigningKey, issueKeySignedToken, issueToken, KEY_SET_ALGORITHMS } from '../plugins/identity.ts';

const usage = [
  'usage: npm run -s token -- --user <id> [--scopes "a b"] [--expires 12h] [--key private.jwk.json]',
  '       npm run -s token -- --new-key ES256|RS256 --kid <kid> --out <folder>',
].join('\n');

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    scopes: { type: 'string', default: '' },
    expires: { type: 'string', default: '12h' },
    key: { type: 'string' },
    'new-key': { type: 'string' },
    kid: { type: 'string' },
    out: { type: 'string', default: '.' },
  },
});

if (values['new-key']) {
  const alg = values['new-key'] as (typeof KEY_SET_ALGORITHMS)[number];
  if (!KEY_SET_ALGORITHMS.includes(alg) || !values.kid) {
    console.error(usage);
    process.exit(2);
  }
  const { privateJwk, publicJwk } = await generateSigningKey(alg, values.kid);
  fs.mkdirSync(values.out, { recursive: true });
  const privatePath = path.join(values.out, `${values.kid}.private.jwk.json`);
  fs.writeFileSync(privatePath, JSON.stringify(privateJwk, null, 2) + '\n', { mode: 0o600 });
  const jwksPath = path.join(values.out, 'jwks.json');
  const jwks: JSONWebKeySet = fs.existsSync(jwksPath) ? JSON.parse(fs.readFileSync(jwksPath, 'utf8')) : { keys: [] };
  jwks.keys = [...jwks.keys.filter((k) => k.kid !== values.kid), publicJwk];
  fs.writeFileSync(jwksPath, JSON.stringify(jwks, null, 2) + '\n');
  console.log(`wrote ${privatePath} and ${jwksPath}`);
} else {
  if (!values.user) {
    console.error(usage);
    process.exit(2);
  }
  const security = readSecurityConfig();
  const claims = {
    userId: values.user,
    scopes: values.scopes.split(/[\s,]+/).filter(Boolean),
    expiresIn: values.expires,
    issuer: security.jwtIssuer,
    audience: security.jwtAudience,
    scopeClaim: security.scopeClaim,
  };
  if (values.key) {
    const jwk = JSON.parse(fs.readFileSync(values.key, 'utf8')) as JWK;
    console.log(await issueKeySignedToken(jwk, claims));
  } else {
    // the development secret also where the gateway would have none (production without PLAZA_JWT_SECRET)
    console.log(await issueToken(settingsFor(['PLAZA_JWT_SECRET']).PLAZA_JWT_SECRET ?? DEV_JWT_SECRET, claims));
  }
}
