import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../platform/internal-token.ts';
import { authorizeOperation, completeDeniedFields, readAuthorizationPolicy } from '../gateway/analysis/authorization.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

describe('@authenticated and @requiresScopes are enforced at the gateway', () => {
  it('an anonymous caller claiming a coupon gets UNAUTHENTICATED at the mutation path and data null', async () => {
    const { status, body } = await plaza.query(
      'mutation { claimCoupon(templateId: "t1", idempotencyKey: "anon-1") { id code } }',
    );
    expect(status).toBe(200);
    // claimCoupon is non-null: its null propagates to data
    expect(body.data).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ['claimCoupon'], extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('a signed-in user reads their own points and coupons', async () => {
    const { status, body } = await plaza.query('{ me { id points { balance } coupons { id } } }', {}, { user: 'u1' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.me.id).toBe('u1');
    expect(typeof body.data.me.points.balance).toBe('number');
    expect(Array.isArray(body.data.me.coupons)).toBe(true);
  });

  it('placement review without the platform:review scope is FORBIDDEN and the rest still answers', async () => {
    const { status, body } = await plaza.query(
      '{ merchant(id: "m1") { name } me { nickname } review: placementsForReview { id } }',
      {},
      { user: 'u1' },
    );
    expect(status).toBe(200);
    // placementsForReview is non-null at the root: GraphQL nulls the whole data
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ path: ['review'], extensions: { code: 'FORBIDDEN' } });
  });

  it('an anonymous caller asking for points gets the public answer and me: null, with no error for fields under a null parent', async () => {
    const { status, body } = await plaza.query('{ merchant(id: "m1") { name } me { points { balance } } }');
    expect(status).toBe(200);
    expect(body.data.merchant.name).toMatch(/\w/);
    expect(body.data.me).toBeNull();
    expect(body.errors).toBeUndefined();
  });

  it('an anonymous caller asking for placement review is UNAUTHENTICATED (not FORBIDDEN)', async () => {
    const { body } = await plaza.query('{ placementsForReview { id } }');
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ path: ['placementsForReview'], extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('an operator with platform:review reads the review queue', async () => {
    const { body } = await plaza.query('{ placementsForReview { id } }', {}, { user: 'op1', scopes: ['platform:review'] });
    expect(body.errors).toBeUndefined();
    expect(Array.isArray(body.data.placementsForReview)).toBe(true);
  });

  it('the same query answers differently per caller (query plans are not shared across permissions)', async () => {
    const query = '{ placementsForReview { id } }';
    const first = await plaza.query(query, {}, { user: 'op1', scopes: ['platform:review'] });
    const second = await plaza.query(query, {}, { user: 'u1' });
    const third = await plaza.query(query, {}, { user: 'op1', scopes: ['platform:review'] });
    expect(first.body.errors).toBeUndefined();
    expect(second.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(third.body.errors).toBeUndefined();
  });

  it('denied fields inside fragments are reported at every path they appear', async () => {
    const { status, body } = await plaza.query(
      'query { placementsForReview { ...P } } fragment P on Placement { id }',
      {},
      { user: 'u1', scopes: ['platform:other'] },
    );
    expect(status).toBe(200);
    expect(body.errors?.map((e) => e.path)).toEqual([['placementsForReview']]);
  });
});

describe('scope escalation is refused', () => {
  it('a token whose scope claim was edited (signature broken) is 401 UNAUTHENTICATED', async () => {
    const token = await plaza.tokenFor('u1', []);
    const [header, , signature] = token.split('.');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    payload.scope = 'platform:review';
    const edited = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    const { status, body } = await plaza.query('{ placementsForReview { id } }', {}, { headers: { authorization: `Bearer ${edited}` } });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('an unsigned token (alg none) is 401 UNAUTHENTICATED', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'none' })}.${part({ sub: 'op1', scope: 'platform:review', iss: 'plaza', aud: 'plaza-api', exp: now + 600 })}.`;
    const { status, body } = await plaza.query('{ placementsForReview { id } }', {}, { headers: { authorization: `Bearer ${unsigned}` } });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a gateway token sent by a client to the gateway is replaced, not trusted', async () => {
    const forgedInternal = await signInternalToken({ userId: 'u2', scopes: ['platform:review'] }, 'guessed-secret-0123456789abcdef0123');
    const { body } = await plaza.query('{ me { id } }', {}, { user: 'u1', headers: { [INTERNAL_TOKEN_HEADER]: forgedInternal } });
    expect(body.data.me.id).toBe('u1');
  });

  it("a user cannot read another user's points through the gateway (there is no way to name another user)", async () => {
    const { body } = await plaza.query(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { points { balance } } } }',
      { r: [{ __typename: 'User', id: 'u2' }] },
      { user: 'u1' },
    );
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("a user cannot read another user's coupons directly against the subgraph, even with a valid gateway token", async () => {
    const token = await signInternalToken({ userId: 'u1', scopes: [] }, TEST_INTERNAL_SECRET);
    const { body } = await postJson(
      plaza.subgraphs.coupons.url,
      {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { coupons { id } } } }',
        variables: { r: [{ __typename: 'User', id: 'u2' }] },
      },
      { [INTERNAL_TOKEN_HEADER]: token },
    );
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('an expired gateway token replayed against a subgraph is refused with 401', async () => {
    const { SignJWT } = await import('jose');
    const expired = await new SignJWT({ scopes: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('plaza-gateway')
      .setAudience('plaza-subgraphs')
      .setSubject('u1')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 540)
      .sign(new TextEncoder().encode(TEST_INTERNAL_SECRET));
    const { status, body } = await postJson(plaza.subgraphs.membership.url, { query: '{ __typename }' }, { [INTERNAL_TOKEN_HEADER]: expired });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('GATEWAY_TOKEN_REQUIRED');
  });
});

describe('null propagation of denied fields follows GraphQL rules', () => {
  const sdl = `
    directive @authenticated on FIELD_DEFINITION | OBJECT
    directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
    type Query { shop: Shop items: [Item!]! open: String }
    type Shop { name: String! secret: String @authenticated vault: Vault! @requiresScopes(scopes: [["vault"]]) }
    type Vault { code: String! }
    type Item { id: ID! price: Int! @authenticated }
  `;
  const schema = buildSchema(sdl);
  const policy = readAuthorizationPolicy(sdl);
  const anonymous = { scopes: [] };
  const user = { userId: 'u1', scopes: [] };

  it('a denied nullable field becomes null next to its siblings', async () => {
    const doc = parse('{ shop { name secret } open }');
    const { document, denied } = authorizeOperation(schema, policy, anonymous, doc);
    expect(denied).toEqual([{ path: ['shop', 'secret'], types: [schema.getType('Shop'), schema.getType('String')], coordinate: 'Shop.secret', code: 'UNAUTHENTICATED' }]);
    const { data, errors } = completeDeniedFields(schema, policy, anonymous, doc, undefined, undefined, {
      shop: { name: 'A', __plaza_denied_0: 'Shop' },
      open: 'yes',
    });
    expect(data).toEqual({ shop: { name: 'A', secret: null }, open: 'yes' });
    expect(errors).toEqual([{ message: expect.any(String), path: ['shop', 'secret'], extensions: { code: 'UNAUTHENTICATED', field: 'Shop.secret' } }]);
    expect(JSON.stringify(document)).not.toContain('"secret"');
  });

  it('a denied non-null field nulls its nearest nullable parent', async () => {
    const doc = parse('{ shop { name vault { code } } open }');
    const { denied } = authorizeOperation(schema, policy, user, doc);
    expect(denied[0]).toMatchObject({ path: ['shop', 'vault'], code: 'FORBIDDEN' });
    const { data, errors } = completeDeniedFields(schema, policy, user, doc, undefined, undefined, {
      shop: { name: 'A', __plaza_denied_0: 'Shop' },
      open: 'yes',
    });
    expect(data).toEqual({ shop: null, open: 'yes' });
    expect(errors.map((e) => [e.path, e.extensions.code])).toEqual([[['shop', 'vault'], 'FORBIDDEN']]);
  });

  it('a denied non-null field in a non-null list nulls the whole list, then data', async () => {
    const doc = parse('{ items { id price } }');
    const { data, errors } = completeDeniedFields(schema, policy, anonymous, doc, undefined, undefined, {
      items: [
        { id: '1', __plaza_denied_0: 'Item' },
        { id: '2', __plaza_denied_0: 'Item' },
      ],
    });
    expect(data).toBeNull();
    // one error per denied field, not one per list item
    expect(errors.map((e) => e.path)).toEqual([['items', 0, 'price']]);
  });

  it('with the scope, nothing is denied and the document is unchanged', () => {
    const doc = parse('{ shop { vault { code } } }');
    const outcome = authorizeOperation(schema, policy, { userId: 'u1', scopes: ['vault'] }, doc);
    expect(outcome.denied).toEqual([]);
    expect(outcome.document).toBe(doc);
  });

  it('callers alike (signed in or not, same scopes in any order) share one outcome per operation; others get their own', () => {
    const doc = parse('query A { shop { secret vault { code } } } query B { open }');
    const first = authorizeOperation(schema, policy, { userId: 'u1', scopes: ['x', 'vault'] }, doc, 'A');
    expect(authorizeOperation(schema, policy, { userId: 'u2', scopes: ['vault', 'x'] }, doc, 'A')).toBe(first);
    expect(first.denied).toEqual([]);
    const withoutScope = authorizeOperation(schema, policy, user, doc, 'A');
    expect(withoutScope.denied.map((d) => [d.path.join('.'), d.code])).toEqual([['shop.vault', 'FORBIDDEN']]);
    const stranger = authorizeOperation(schema, policy, anonymous, doc, 'A');
    expect(stranger.denied.map((d) => [d.path.join('.'), d.code])).toEqual([
      ['shop.secret', 'UNAUTHENTICATED'],
      ['shop.vault', 'UNAUTHENTICATED'],
    ]);
    expect(authorizeOperation(schema, policy, anonymous, doc, 'B').denied).toEqual([]);
    expect(Object.isFrozen(stranger)).toBe(true);
  });
});
