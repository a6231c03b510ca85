import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMerchant, asReviewer, REVIEW, SUBMIT, submission } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const CARDS = `query Cards($city: String!) { homepage(city: $city) { cards { id title merchant { id } rank { score } } } }`;

const DAY = 86_400_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

async function cards(city: string) {
  const { body } = await plaza.query(CARDS, { city });
  expect(body.errors).toBeUndefined();
  return body.data.homepage.cards as { id: string; merchant: { id: string }; rank: { score: number } }[];
}

describe('placement review', () => {
  it('a merchant submits for free; the placement waits, unserved, until a reviewer approves it', async () => {
    const submitted = await plaza.query(SUBMIT, { input: submission('m11', { categories: ['food'] }) }, asMerchant('m11'));
    expect(submitted.body.errors).toBeUndefined();
    const placement = submitted.body.data.submitPlacement;
    expect(placement).toMatchObject({ status: 'PENDING', priority: 50, slot: 'CARD', merchant: { id: 'm11' }, service: { id: 's11-1' } });
    expect(placement.targeting.cities).toEqual(['Xiamen']);
    expect(await cards('Xiamen')).toEqual([]);

    const queue = await plaza.query('{ placementsForReview(first: 100) { id } }', {}, asReviewer);
    expect(queue.body.data.placementsForReview.map((p: { id: string }) => p.id)).toContain(placement.id);

    const approved = await plaza.query(REVIEW, { id: placement.id, decision: 'APPROVE', priority: 70 }, asReviewer);
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data.reviewPlacement).toMatchObject({ status: 'APPROVED', priority: 70 });
    expect((await cards('Xiamen')).map((c) => c.id)).toEqual([placement.id]);
    // served from the city's shared candidate rows: the JSON and date columns come back as submitted
    const served = await plaza.query('{ homepage(city: "Xiamen") { cards { targeting { cities categories startsAt endsAt } } } }');
    expect(served.body.data.homepage.cards).toEqual([{ targeting: placement.targeting }]);

    const rejected = await plaza.query(REVIEW, { id: placement.id, decision: 'REJECT', reason: 'The photo is not of the dish' }, asReviewer);
    expect(rejected.body.data.reviewPlacement).toMatchObject({ status: 'REJECTED', reviewReason: 'The photo is not of the dish' });
    expect(await cards('Xiamen')).toEqual([]);
  });

  it('keeps two merchants with equal scores in a stable order: by placement id', async () => {
    const ids: string[] = [];
    for (const merchant of ['m21', 'm22', 'm23']) {
      const { body } = await plaza.query(SUBMIT, { input: submission(merchant, { cities: ['Wuxi'] }) }, asMerchant(merchant));
      ids.push(body.data.submitPlacement.id);
      await plaza.query(REVIEW, { id: body.data.submitPlacement.id, decision: 'APPROVE', priority: 60 }, asReviewer);
    }
    const first = await cards('Wuxi');
    // priority 60 + 10 for targeting the city + 13 for having started a day ago
    expect(first.map((c) => c.rank.score)).toEqual([83, 83, 83]);
    expect(first.map((c) => c.id)).toEqual([...ids].sort());
    for (let k = 0; k < 3; k++) expect(await cards('Wuxi')).toEqual(first);
  });

  it('a retry with the same idempotency key returns the first submission, not a second one', async () => {
    const input = submission('m12');
    const first = await plaza.query(SUBMIT, { input }, asMerchant('m12'));
    const again = await plaza.query(SUBMIT, { input }, asMerchant('m12'));
    expect(again.body.data.submitPlacement.id).toBe(first.body.data.submitPlacement.id);
    const changed = await plaza.query(SUBMIT, { input: { ...input, title: 'Something else' } }, asMerchant('m12'));
    expect(changed.status).toBe(200);
    expect(changed.body.errors?.[0].extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses an anonymous submission with UNAUTHENTICATED and one for another merchant with FORBIDDEN', async () => {
    const anonymous = await plaza.query(SUBMIT, { input: submission('m13') });
    expect(anonymous.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data?.submitPlacement ?? null).toBeNull();
    const other = await plaza.query(SUBMIT, { input: submission('m13') }, asMerchant('m14'));
    expect(other.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lets only platform reviewers review or see the queue', async () => {
    const { body } = await plaza.query(SUBMIT, { input: submission('m15') }, asMerchant('m15'));
    const id = body.data.submitPlacement.id;
    const merchant = await plaza.query(REVIEW, { id, decision: 'APPROVE' }, asMerchant('m15'));
    expect(merchant.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await plaza.query(REVIEW, { id, decision: 'APPROVE' });
    expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(anonymous.body.errors?.[0].extensions?.code);
    const queue = await plaza.query('{ placementsForReview { id } }', {}, asMerchant('m15'));
    expect(queue.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const rejectWithoutReason = await plaza.query(REVIEW, { id, decision: 'REJECT' }, asReviewer);
    expect(rejectWithoutReason.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await plaza.query(REVIEW, { id: 'no-such-placement', decision: 'APPROVE' }, asReviewer);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a bad submission with BAD_USER_INPUT naming the argument', async () => {
    const cases: Record<string, unknown>[] = [
      { endsAt: new Date(Date.now() - 2 * DAY).toISOString() },
      { startsAt: 'tomorrow' },
      { endsAt: new Date(Date.now() + 400 * DAY).toISOString() },
      { categories: ['coffee', 'nope'] },
      { imageUrl: 'javascript:alert(1)' },
      { title: '' },
      { title: 'x'.repeat(81) },
      { cities: ['x'.repeat(65)] },
      { idempotencyKey: '' },
    ];
    for (const overrides of cases) {
      const { status, body } = await plaza.query(SUBMIT, { input: submission('m16', overrides) }, asMerchant('m16'));
      expect(status, JSON.stringify(overrides)).toBe(200);
      expect(body.errors?.[0].extensions?.code, JSON.stringify(overrides)).toBe('BAD_USER_INPUT');
      expect((body.errors?.[0].extensions as { argumentName?: string }).argumentName, JSON.stringify(overrides)).toMatch(/\w/);
    }
  });
});
