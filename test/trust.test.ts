import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInternalToken, INTERNAL_TOKEN_HEADER } from '../platform/internal-token.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

const POINTS_OF_U2 = {
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { points { balance } } } }',
  variables: { r: [{ __typename: 'User', id: 'u2' }] },
};

describe('subgraphs trust only the gateway', () => {
  it('a direct call without the gateway token is refused with 401 GATEWAY_TOKEN_REQUIRED', async () => {
    const { status, body } = await postJson(plaza.subgraphs.membership.url, POINTS_OF_U2);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('GATEWAY_TOKEN_REQUIRED');
    expect(body.data).toBeUndefined();
  });

  it('a direct call with a token signed by another secret is refused', async () => {
    const token = await signInternalToken({ userId: 'u2', scopes: [] }, 'some-other-secret-0123456789abcdef');
    const { status } = await postJson(plaza.subgraphs.membership.url, POINTS_OF_U2, { [INTERNAL_TOKEN_HEADER]: token });
    expect(status).toBe(401);
  });

  it("a user cannot read another user's points even with a valid gateway token", async () => {
    const token = await signInternalToken({ userId: 'u1', scopes: [] }, TEST_INTERNAL_SECRET);
    const { body } = await postJson(plaza.subgraphs.membership.url, POINTS_OF_U2, { [INTERNAL_TOKEN_HEADER]: token });
    expect(body.data._entities[0].points).toBeNull();
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('the owner reads their own points', async () => {
    const token = await signInternalToken({ userId: 'u2', scopes: [] }, TEST_INTERNAL_SECRET);
    const { body } = await postJson(plaza.subgraphs.membership.url, POINTS_OF_U2, { [INTERNAL_TOKEN_HEADER]: token });
    expect(body.errors).toBeUndefined();
    expect(body.data._entities[0].points.balance).toBeGreaterThan(0);
  });
});
