import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberRight } from '../subgraphs/membership/entities.ts';
import { balancesAndLedgers, createRight, EXCHANGE, grantPoints, membershipDb, outcome, tally } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

/** A hundred transactions on one account; on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

describe('one user spending points concurrently', () => {
  it('100 concurrent exchanges against a balance that covers 10 succeed exactly 10 times', async () => {
    const user = 'contention-spender-1';
    await grantPoints(plaza, user, 1000);
    const right = await createRight(plaza, 100, 1000);
    const answers = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => (await plaza.query(EXCHANGE, { rightId: right, key: `x-${i}` }, { user })).body),
    );
    const outcomes = answers.map(outcome);
    // every exchange answered by the subgraph, none lost to the gateway's timeout
    expect(outcomes).not.toContain('SUBGRAPH_UNAVAILABLE');
    expect(tally(outcomes)).toEqual({ OK: 10, INSUFFICIENT_POINTS: 90 });
    expect(await balancesAndLedgers(plaza, [user])).toEqual([{ userId: user, balance: 0, ledger: 0 }]);
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(990);
  }, HEAVY);
});
