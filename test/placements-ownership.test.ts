/**
 * A merchant places only its own services and offers, and a placement's category is its
 * service's: the owners (merchants, coupons) are asked, server to server, before anything
 * is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Placement, PlacementCity } from '../subgraphs/placements/entities.ts';
import { asMerchant, SUBMIT, submission } from './support/flows.ts';
import { startPlaza, type GraphQLResponse, type Plaza } from './support/plaza.ts';

/** A submission that reads back what ownership decides: the category, the service's own category, the offer. */
const SUBMIT_OWN = `mutation SubmitOwn($input: SubmitPlacementInput!) {
  submitPlacement(input: $input) { id category merchant { id } service { id category merchant { id } } offer { id merchant { id } } }
}`;

// the seed world: m1 is a food merchant with services s1-1..s1-3 and offers o1-1..o1-4; m2 a coffee one (s2-*, o2-*)
const M1 = asMerchant('m1');

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

/** Rows in the placements subgraph's tables, read straight from its database. */
async function rows(): Promise<{ placements: number; cities: number }> {
  const em = plaza.subgraphs.placements.database.orm.em.fork();
  return { placements: await em.count(Placement, {}), cities: await em.count(PlacementCity, {}) };
}

/** Submits as m1 and expects a refusal with `code` and not one row written; returns the answer. */
async function refused(overrides: Record<string, unknown>, code: string): Promise<GraphQLResponse> {
  const before = await rows();
  const response = await plaza.query(SUBMIT, { input: submission('m1', overrides) }, M1);
  expect(response.status, JSON.stringify(overrides)).toBe(200);
  expect(response.body.data?.submitPlacement ?? null, JSON.stringify(overrides)).toBeNull();
  expect(response.body.errors?.[0].extensions?.code, JSON.stringify(overrides)).toBe(code);
  expect(await rows(), JSON.stringify(overrides)).toEqual(before);
  return response;
}

/** What a client can tell from a refusal: its message and extensions, without the stack of a development build. */
function seen(response: GraphQLResponse) {
  return response.body.errors!.map(({ message, extensions, path }) => {
    const { stacktrace: _stacktrace, exception: _exception, ...rest } = extensions ?? {};
    return { message, path, extensions: rest };
  });
}

describe('placing only what is your own', () => {
  it("refuses m1 placing m2's service with SERVICE_NOT_FOUND, exactly as it refuses a service that does not exist", async () => {
    const other = await refused({ serviceId: 's2-1' }, 'SERVICE_NOT_FOUND');
    const unknown = await refused({ serviceId: 's-no-such-service' }, 'SERVICE_NOT_FOUND');
    expect(seen(other)).toEqual(seen(unknown));
    expect(JSON.stringify(other.body.errors)).not.toMatch(/s2-1|m2|coffee/);
  });

  it("refuses m1 placing its own service with m2's offer with OFFER_NOT_FOUND, exactly as it refuses an offer that does not exist", async () => {
    const other = await refused({ serviceId: 's1-1', offerId: 'o2-1' }, 'OFFER_NOT_FOUND');
    const unknown = await refused({ serviceId: 's1-1', offerId: 'o-no-such-offer' }, 'OFFER_NOT_FOUND');
    expect(seen(other)).toEqual(seen(unknown));
    expect(JSON.stringify(other.body.errors)).not.toMatch(/o2-1|m2/);
  });

  it("refuses m2's service before looking at the offer, whatever the offer", async () => {
    await refused({ serviceId: 's2-1', offerId: 'o2-1' }, 'SERVICE_NOT_FOUND');
    await refused({ serviceId: 's2-1', offerId: 'o1-1' }, 'SERVICE_NOT_FOUND');
  });

  it('lets the submitter no longer choose a category: the input has none', async () => {
    const before = await rows();
    const { body } = await plaza.query(SUBMIT, { input: submission('m1', { category: 'coffee' }) }, M1);
    expect(body.data?.submitPlacement ?? null).toBeNull();
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await rows()).toEqual(before);
  });

  it.each([
    { merchant: 'm1', category: 'food', audience: 'coffee' },
    { merchant: 'm2', category: 'coffee', audience: 'food' },
  ])('a merchant places its own service and offer, in the service\'s category, whatever audience it targets: $merchant', async ({ merchant, category, audience }) => {
    const n = merchant.slice(1);
    const before = await rows();
    const input = submission(merchant, { serviceId: `s${n}-2`, offerId: `o${n}-1`, categories: [audience], cities: ['Xiamen', 'Wuxi'] });
    const { body } = await plaza.query(SUBMIT_OWN, { input }, asMerchant(merchant));
    expect(body.errors).toBeUndefined();
    const placement = body.data.submitPlacement;
    expect(placement).toMatchObject({ merchant: { id: merchant }, service: { id: `s${n}-2`, merchant: { id: merchant } }, offer: { id: `o${n}-1`, merchant: { id: merchant } } });
    // the category shown is the one the merchants subgraph gives the service, not the audience's
    expect(placement.category).toBe(placement.service.category);
    expect(placement.category).toBe(category);
    expect(await rows()).toEqual({ placements: before.placements + 1, cities: before.cities + 2 });
    const stored = await plaza.subgraphs.placements.database.orm.em.fork().findOneOrFail(Placement, { id: placement.id });
    expect({ category: stored.category, categories: stored.categories }).toEqual({ category, categories: [audience] });
  });
});

// last in the file: these stop subgraphs of the file's Plaza
describe('when an owner cannot answer', () => {
  it('refuses with SUBGRAPH_UNAVAILABLE and writes nothing: coupons down refuses a placement with an offer, not one without', async () => {
    await plaza.subgraphs.coupons.stop();
    await refused({ serviceId: 's1-1', offerId: 'o1-1' }, 'SUBGRAPH_UNAVAILABLE');
    const withoutOffer = await plaza.query(SUBMIT, { input: submission('m1', { serviceId: 's1-3' }) }, M1);
    expect(withoutOffer.body.errors).toBeUndefined();

    await plaza.subgraphs.merchants.stop();
    const refusal = await refused({ serviceId: 's1-1' }, 'SUBGRAPH_UNAVAILABLE');
    expect(JSON.stringify(refusal.body.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });
});
