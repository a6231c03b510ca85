/**
 * Prints a development bearer token:
 *   npm run -s token -- --user u1 [--scopes "platform:review"] [--expires 12h]
 * Signed with PLAZA_JWT_SECRET (the development default when unset).
 */
import { parseArgs } from 'node:util';
import { DEV_JWT_SECRET } from '../config.ts';
import { issueToken } from '../plugins/identity.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    scopes: { type: 'string', default: '' },
    expires: { type: 'string', default: '12h' },
  },
});
if (!values.user) {
  console.error('usage: npm run -s token -- --user <id> [--scopes "a b"] [--expires 12h]');
  process.exit(2);
}
const secret = process.env.PLAZA_JWT_SECRET || DEV_JWT_SECRET;
console.log(
  await issueToken(secret, { userId: values.user, scopes: values.scopes.split(/[\s,]+/).filter(Boolean), expiresIn: values.expires }),
);
