import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exchange, MemberRight, PointsAccount } from '../subgraphs/membership/entities.ts';
import { balancesAndLedgers, createRight, EXCHANGE, grantPoints, membershipDb, outcome, tally } from './support/flows.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

/** A hundred transactions on one account; on a busy machine they need time. */
const HEAVY = 180_000;

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

const exchange = async (user: string, rightId: string, key: string) => (await plaza.query(EXCHANGE, { rightId, key }, { user })).body;

describe('one user spending points concurrently', () => {
  it('100 concurrent exchanges against a balance that covers 10 succeed exactly 10 times', async () => {
    const user = 'contention-spender-1';
    await grantPoints(plaza, user, 1000);
    const right = await createRight(plaza, 100, 1000);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => exchange(user, right, `x-${i}`)));
    const outcomes = answers.map(outcome);
    // every exchange answered by the subgraph, none lost to the gateway's timeout
    expect(outcomes).not.toContain('SUBGRAPH_UNAVAILABLE');
    expect(tally(outcomes)).toEqual({ OK: 10, INSUFFICIENT_POINTS: 90 });
    expect(await balancesAndLedgers(plaza, [user])).toEqual([{ userId: user, balance: 0, ledger: 0 }]);
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(990);
  }, HEAVY);

  it('when the stock runs out first, the refused exchanges write nothing', async () => {
    const user = 'contention-spender-2';
    await grantPoints(plaza, user, 1000);
    const right = await createRight(plaza, 100, 3);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(user, right, `y-${i}`)));
    expect(tally(answers.map(outcome))).toEqual({ OK: 3, RIGHT_OUT_OF_STOCK: 17 });
    expect(await balancesAndLedgers(plaza, [user])).toEqual([{ userId: user, balance: 700, ledger: 700 }]);
    expect(await membershipDb(plaza).count(Exchange, { userId: user })).toBe(3);
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(0);
  }, HEAVY);

  it('a free right is taken by a user with no points account yet, once per key', async () => {
    const user = 'contention-newcomer';
    const right = await createRight(plaza, 0, 5);
    const answers = await Promise.all(Array.from({ length: 5 }, () => exchange(user, right, 'free')));
    expect(answers.map(outcome)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    expect(new Set(answers.map((a) => a.data.exchangePoints.id)).size).toBe(1);
    expect(await membershipDb(plaza).findOneOrFail(PointsAccount, { userId: user })).toMatchObject({ balance: 0 });
    expect((await membershipDb(plaza).findOneOrFail(MemberRight, { id: right })).remainingStock).toBe(4);
  }, HEAVY);

  it('the membership subgraph reports how long exchanges held their row locks', async () => {
    const held = async () => {
      const metrics = await (await fetch(plaza.subgraphs.membership.url.replace(/\/graphql$/, '/metrics'))).text();
      const sample = (name: string) => Number(new RegExp(`^${name}\\{[^}]*operation="exchangePoints"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
      return { count: sample('plaza_subgraph_row_lock_hold_seconds_count'), seconds: sample('plaza_subgraph_row_lock_hold_seconds_sum') };
    };
    const user = 'contention-spender-3';
    await grantPoints(plaza, user, 300);
    const right = await createRight(plaza, 100, 10);
    const before = await held();
    for (const key of ['z-1', 'z-2', 'z-3']) expect(outcome(await exchange(user, right, key))).toBe('OK');
    const after = await held();
    expect(after.count - before.count).toBe(3);
    expect(after.seconds).toBeGreaterThan(before.seconds);
  });
});
