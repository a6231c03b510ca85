/**
 * Batching, measured: every subgraph runs a fixed number of SQL statements for the
 * headline query and the full homepage feed, whether the feed shows 2 placements or 19
 * (a full grid and a full row of cards). A resolver that queried once per parent would
 * make the larger feed cost more. Both feeds fill the same sections: the gateway fetches
 * each section's entities separately, so the count depends on which sections are shown.
 */
import type { PlacementsShared } from '../subgraphs/placements/loaders.ts';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { INTERNAL_TOKEN_HEADER, signInternalToken } from '../platform/internal-token.ts';
import { SQL_STATEMENTS_HEADER } from '../subgraphs/kit/server.ts';
import { seedMerchant, seedServices, WORLD_SIZES } from '../subgraphs/kit/world.ts';
import { testDatabase } from './support/databases.ts';
import { asMerchant, asReviewer, REVIEW, SUBMIT } from './support/flows.ts';
import { postJson, startPlaza, TEST_INTERNAL_SECRET, type Plaza } from './support/plaza.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');

/** Every section of the homepage, every field a placement has, down to the card merchants' offers. */
const FULL_FEED = /* GraphQL */ `
  query FullFeed($city: String!) {
    homepage(city: $city) {
      city
      searchHints { ...item }
      grid { ...item }
      news { ...item }
      banners { ...item }
      cards { ...item }
      basement { ...item }
    }
  }
  fragment item on Placement {
    id slot title subtitle imageUrl priority status
    targeting { cities categories startsAt endsAt }
    rank { score priority freshness targeting affinity }
    merchant { id name }
    service { id title deepLink merchant { id name offers(first: 3) { id title remainingStock } } }
    offer { id title }
  }
`;

/** A feed of one city: which merchant places what where. */
interface Feed {
  city: string;
  slots: ('GRID' | 'CARD')[];
  /** Index of the first seeded merchant placing in it; each placement is a different merchant. */
  firstMerchant: number;
}
const SMALL: Feed = { city: 'Smallville', slots: ['GRID', 'CARD'], firstMerchant: 100 };
// the same sections, nearly ten times as full: a full grid and a full row of cards
const LARGE: Feed = {
  city: 'Bigville',
  slots: [...Array<'GRID'>(9).fill('GRID'), ...Array<'CARD'>(10).fill('CARD')],
  firstMerchant: 0,
};

let plaza: Plaza;

/** Places and approves one placement per slot of the feed, through the public API. */
async function buildFeed(feed: Feed): Promise<void> {
  for (const [k, slot] of feed.slots.entries()) {
    const merchant = seedMerchant(feed.firstMerchant + k);
    const service = seedServices(feed.firstMerchant + k, WORLD_SIZES.small)[0];
    const submitted = await plaza.query(
      SUBMIT,
      {
        input: {
          merchantId: merchant.id,
          serviceId: service.id,
          slot,
          title: `${merchant.name} in ${feed.city}`,
          subtitle: service.title,
          imageUrl: `/img/${merchant.category}.png`,
          cities: [feed.city],
          startsAt: new Date(Date.now() - 86_400_000).toISOString(),
          endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          idempotencyKey: `feed-${feed.city}-${k}`,
        },
      },
      asMerchant(merchant.id),
    );
    expect(submitted.body.errors).toBeUndefined();
    const reviewed = await plaza.query(REVIEW, { id: submitted.body.data.submitPlacement.id, decision: 'APPROVE', priority: 90 }, asReviewer);
    expect(reviewed.body.data?.reviewPlacement.status).toBe('APPROVED');
  }
}

/** Runs one operation through the gateway and returns the SQL statements each subgraph ran for it. */
async function statementsFor(query: string, variables: Record<string, unknown>, user?: string) {
  // count a cold request: the placements subgraph shares a city's candidates between requests for a moment
  (plaza.subgraphs.placements.shared as PlacementsShared).candidates.clear();
  const before = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, plaza.subgraphs[name].statements()]));
  const response = await plaza.query(query, variables, { user });
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  const counts = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, plaza.subgraphs[name].statements() - before[name]])) as Record<
    SubgraphName,
    number
  >;
  return { data: response.body.data, counts };
}

function shown(homepage: Record<string, unknown>): number {
  return Object.values(homepage).reduce<number>((sum, section) => sum + (Array.isArray(section) ? section.length : 0), 0);
}

beforeAll(async () => {
  // placements start empty so each test city shows exactly the placements built here
  plaza = await startPlaza({}, { subgraph: (config) => (config.name === 'placements' ? { ...config, seedIfEmpty: false } : config) });
  await buildFeed(SMALL);
  await buildFeed(LARGE);
});
afterAll(() => plaza?.stop());

describe(`SQL statements per request (${testDatabase()})`, () => {
  it('the full homepage feed costs every subgraph the same number of statements for a feed almost ten times larger (2 vs 19 placements)', async () => {
    const small = await statementsFor(FULL_FEED, { city: SMALL.city }, 'u1');
    const large = await statementsFor(FULL_FEED, { city: LARGE.city }, 'u1');
    expect(shown(small.data.homepage)).toBe(2);
    expect(shown(large.data.homepage)).toBe(19);
    for (const card of large.data.homepage.cards) expect(card.service.merchant.offers.length).toBeGreaterThan(0);
    console.log(`full feed statements, 2 vs 19 placements (${testDatabase()}):`, small.counts, large.counts);
    for (const name of SUBGRAPH_NAMES) expect({ [name]: large.counts[name] }).toEqual({ [name]: small.counts[name] });
    // the feed reads placements, services, merchants and offers: each is one batch, never zero
    expect(large.counts.placements).toBeGreaterThan(0);
    expect(large.counts.merchants).toBeGreaterThan(0);
    expect(large.counts.coupons).toBeGreaterThan(0);
  });

  it('the headline query costs every subgraph the same number of statements for a feed almost ten times larger', async () => {
    const small = await statementsFor(HOME, { city: SMALL.city, merchantId: 'm1' }, 'u1');
    const large = await statementsFor(HOME, { city: LARGE.city, merchantId: 'm1' }, 'u1');
    expect(small.data.homepage.grid.length + small.data.homepage.cards.length).toBe(2);
    expect(large.data.homepage.grid.length + large.data.homepage.cards.length).toBe(19);
    expect(large.data.me.nickname).toMatch(/\w/);
    console.log(`headline statements, small vs large feed (${testDatabase()}):`, small.counts, large.counts);
    for (const name of SUBGRAPH_NAMES) expect({ [name]: large.counts[name] }).toEqual({ [name]: small.counts[name] });
    for (const name of SUBGRAPH_NAMES) expect(large.counts[name]).toBeGreaterThan(0);
  });

  it('every subgraph response reports the statements it ran in x-plaza-sql-statements', async () => {
    const token = await signInternalToken({ userId: 'u1', scopes: [] }, TEST_INTERNAL_SECRET);
    const representations = ['u1', 'u2', 'u3'].map((id) => ({ __typename: 'User', id }));
    const { status, headers, body } = await postJson(
      plaza.subgraphs.users.url,
      { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { nickname } } }', variables: { r: representations } },
      { [INTERNAL_TOKEN_HEADER]: token },
    );
    expect(status).toBe(200);
    expect(body.data?._entities).toHaveLength(3);
    // three users, one batched statement
    expect(headers.get(SQL_STATEMENTS_HEADER)).toBe('1');
  });
});
