import { raw } from '@mikro-orm/core';
import { ErrorCode, plazaError } from '../../platform/errors.ts';
import { transactionInOneMessage, type Dialect, type EntityManager } from '../kit/orm.ts';
import { newId, newTenDigitCode } from '../kit/ids.ts';
import { checkIdempotencyKey, checkReference } from '../kit/viewer.ts';
import { Exchange, Membership, MembershipProgram, MemberRight, PointsAccount, PointsTransaction } from './entities.ts';

export type Tier = 'BRONZE' | 'SILVER' | 'GOLD' | 'PLATINUM';

/** Lifetime points needed for each tier, highest first. */
export const TIER_THRESHOLDS: [Tier, number][] = [
  ['PLATINUM', 20_000],
  ['GOLD', 5_000],
  ['SILVER', 1_000],
  ['BRONZE', 0],
];

export function tierFor(lifetimePoints: number): Tier {
  return TIER_THRESHOLDS.find(([, min]) => lifetimePoints >= min)![0];
}

async function requireProgram(em: EntityManager, merchantId: string): Promise<void> {
  checkReference('merchantId', merchantId);
  if (!(await em.findOne(MembershipProgram, { merchantId }, { disableIdentityMap: true }))) {
    throw plazaError(ErrorCode.NOT_FOUND, `Merchant ${merchantId} has no membership program`);
  }
}

/** Creates the user's account at zero when it does not exist yet (INSERT … ON CONFLICT DO NOTHING). */
export async function ensureAccount(tx: EntityManager, userId: string): Promise<void> {
  await tx.createQueryBuilder(PointsAccount).insert({ userId, balance: 0, lifetimePoints: 0 }).onConflict('userId').ignore().execute();
}

/** Appends to the ledger and moves the balance in the same transaction; never below zero. */
export async function post(tx: EntityManager, entry: { userId: string; amount: number; reason: string; reference: string; merchantId?: string | null }): Promise<boolean> {
  const moved = await tx.nativeUpdate(
    PointsAccount,
    entry.amount < 0 ? { userId: entry.userId, balance: { $gte: -entry.amount } } : { userId: entry.userId },
    entry.amount < 0
      ? { balance: raw('balance + ?', [entry.amount]) }
      : { balance: raw('balance + ?', [entry.amount]), lifetimePoints: raw('lifetime_points + ?', [entry.amount]) },
  );
  if (moved !== 1) return false;
  await tx.insert(PointsTransaction, {
    userId: entry.userId,
    amount: entry.amount,
    reason: entry.reason,
    reference: entry.reference,
    merchantId: entry.merchantId ?? null,
    createdAt: new Date(),
  } as PointsTransaction);
  return true;
}

export interface ExchangeInput {
  userId: string;
  rightId: string;
  idempotencyKey: string;
}

async function knownExchange(em: EntityManager, input: ExchangeInput): Promise<Exchange | null> {
  const exchange = await em.findOne(Exchange, { userId: input.userId, idempotencyKey: input.idempotencyKey }, { disableIdentityMap: true });
  if (exchange && exchange.rightId !== input.rightId) {
    throw plazaError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotencyKey was already used for another right');
  }
  return exchange;
}

/** A ledger entry a committed transaction wrote: what a points event names. */
export interface PointsPosted {
  userId: string;
  /** The entry's reference, unique per user (`order:<id>`, `refund:<id>`, `exchange:<id>`). */
  reference: string;
  reason: string;
}

export interface SpendOptions {
  /** The dialect of the subgraph's database: PostgreSQL spends in one statement, SQLite in a transaction. */
  dialect: Dialect;
  /** Told how long the spending held its row locks, in seconds (the row-lock metric). Optional. */
  lockHeld?: (seconds: number) => void;
  /** Told of the ledger entry an exchange wrote, once it committed (never for a retry that wrote nothing). Optional. */
  spent?: (entry: PointsPosted) => void;
}

/**
 * Spends points on a member right: the stock and the balance are taken together, or
 * neither is; a refusal writes nothing. A key already used returns its exchange.
 */
export async function exchangePoints(em: EntityManager, input: ExchangeInput, options: SpendOptions): Promise<Exchange> {
  checkIdempotencyKey(input.idempotencyKey);
  checkReference('rightId', input.rightId);
  return options.dialect === 'postgresql' ? exchangeInOneStatement(em, input, options) : exchangeInTransaction(em, input, options);
}

/**
 * PostgreSQL: the exchange is one statement, sent with its BEGIN and COMMIT in one message
 * (transactionInOneMessage), so its row locks are held while the server writes and
 * commits, never across a round trip to the service. The account's row is locked first,
 * and only when its balance covers the cost (a refusal for want of points locks nothing);
 * then the right's, only when it has stock; the exchange, the balance, the stock and the
 * ledger row (what `post` writes) are written only once both are held and the key is new,
 * so nothing can be refused half-way. Every exchange takes the account before the right,
 * so two never wait for each other. The lock hold is timed on the server's clock, from the
 * account's lock taken to the commit done.
 */
const EXCHANGE_STATEMENT = `
with wanted as (
  select cost from member_rights where id = :rightId
), account as materialized (
  select user_id from points_accounts where user_id = :userId and balance >= (select cost from wanted) for update
), account_locked_at as materialized (
  select clock_timestamp() as at from account
), right_row as materialized (
  select id, cost, merchant_id from member_rights
  where id = :rightId and remaining_stock > 0 and exists (select 1 from account_locked_at) for update
), exchange as (
  insert into exchanges (id, user_id, idempotency_key, right_id, points_spent, voucher_code, created_at)
  select :id, :userId, :idempotencyKey, id, cost, :voucherCode, cast(:createdAt as timestamptz) from right_row
  on conflict (user_id, idempotency_key) do nothing
  returning points_spent
), debit as (
  update points_accounts set balance = balance - (select points_spent from exchange)
  where user_id = :userId and exists (select 1 from exchange) returning 1
), stock as (
  update member_rights set remaining_stock = remaining_stock - 1
  where id = :rightId and exists (select 1 from exchange) returning 1
), ledger as (
  insert into points_transactions (user_id, amount, reason, reference, merchant_id, created_at)
  select :userId, -points_spent, 'EXCHANGE', :reference, (select merchant_id from right_row), cast(:createdAt as timestamptz) from exchange
  returning 1
)
select
  (select cost from wanted) as cost,
  exists (select 1 from account) as account_locked,
  exists (select 1 from right_row) as right_locked,
  cast((select count(*) from exchange) + (select count(*) from debit) + (select count(*) from stock) + (select count(*) from ledger) as int) as written,
  txid_current_if_assigned() is not null as locked,
  cast(extract(epoch from coalesce((select at from account_locked_at), clock_timestamp())) as float8) as locked_at`;

interface ExchangeStatementRow {
  /** The right's cost, or null when there is no such right. */
  cost: number | null;
  account_locked: boolean;
  right_locked: boolean;
  /** Rows written: 4 (exchange, balance, stock, ledger) or 0. */
  written: number;
  /** Whether the statement took a row lock: it wrote, or it locked a row that no longer qualified once its lock was granted. */
  locked: boolean;
  /** Server time (epoch seconds) the account's lock was taken, or the statement's end when it took none. */
  locked_at: number;
}

async function exchangeInOneStatement(em: EntityManager, input: ExchangeInput, options: SpendOptions): Promise<Exchange> {
  const id = newId('x');
  const exchange = { id, userId: input.userId, idempotencyKey: input.idempotencyKey, rightId: input.rightId, voucherCode: newTenDigitCode(), createdAt: new Date() };
  const statement = { sql: EXCHANGE_STATEMENT, values: { ...exchange, createdAt: exchange.createdAt.toISOString(), reference: `exchange:${id}` } };
  for (let attempt = 1; ; attempt++) {
    const answer = await transactionInOneMessage(em, [statement]);
    const row = answer.rows[0][0] as unknown as ExchangeStatementRow;
    if (row.locked) options.lockHeld?.(answer.committedAt - row.locked_at);
    if (row.written === 4) {
      options.spent?.({ userId: input.userId, reference: statement.values.reference, reason: 'EXCHANGE' });
      return { ...exchange, pointsSpent: row.cost! } as Exchange;
    }
    if (row.written !== 0) throw new Error(`an exchange wrote ${row.written} of its 4 rows`);
    // a retry with this key, perhaps one that committed while this statement waited for the account
    const retried = await knownExchange(em, input);
    if (retried) return retried;
    if (row.cost === null) throw plazaError(ErrorCode.RIGHT_NOT_FOUND, `No member right ${input.rightId}`);
    if (!row.account_locked) {
      // a free right for a user without an account yet: open it at zero and try once more
      if (row.cost <= 0 && attempt === 1) {
        await ensureAccount(em, input.userId);
        continue;
      }
      throw plazaError(ErrorCode.INSUFFICIENT_POINTS, `This right costs ${row.cost} points`);
    }
    if (!row.right_locked) throw plazaError(ErrorCode.RIGHT_OUT_OF_STOCK, 'This right has run out');
    throw new Error(`exchange ${input.idempotencyKey} of ${input.userId} met an existing key that cannot be read`);
  }
}

/** SQLite: one transaction; its database lock is taken by the first write and held to the commit. */
async function exchangeInTransaction(em: EntityManager, input: ExchangeInput, options: SpendOptions): Promise<Exchange> {
  const retried = await knownExchange(em, input);
  if (retried) return retried;
  const right = await em.findOne(MemberRight, { id: input.rightId }, { disableIdentityMap: true });
  if (!right) throw plazaError(ErrorCode.RIGHT_NOT_FOUND, `No member right ${input.rightId}`);

  const id = newId('x');
  let lockedAt = 0;
  let wrote = false;
  try {
    await em.transactional(async (tx) => {
      lockedAt = performance.now();
      const inserted = await tx
        .createQueryBuilder(Exchange)
        .insert({
          id,
          userId: input.userId,
          idempotencyKey: input.idempotencyKey,
          rightId: right.id,
          pointsSpent: right.cost,
          voucherCode: newTenDigitCode(),
          createdAt: new Date(),
        })
        .onConflict(['userId', 'idempotencyKey'])
        .ignore()
        .execute('run');
      if (!inserted.affectedRows) return;
      const taken = await tx.nativeUpdate(MemberRight, { id: right.id, remainingStock: { $gt: 0 } }, { remainingStock: raw('remaining_stock - 1') });
      if (taken !== 1) throw plazaError(ErrorCode.RIGHT_OUT_OF_STOCK, 'This right has run out');
      await ensureAccount(tx, input.userId);
      if (!(await post(tx, { userId: input.userId, amount: -right.cost, reason: 'EXCHANGE', reference: `exchange:${id}`, merchantId: right.merchantId }))) {
        throw plazaError(ErrorCode.INSUFFICIENT_POINTS, `This right costs ${right.cost} points`);
      }
      wrote = true;
    });
  } finally {
    if (lockedAt) options.lockHeld?.((performance.now() - lockedAt) / 1000);
  }
  if (wrote) options.spent?.({ userId: input.userId, reference: `exchange:${id}`, reason: 'EXCHANGE' });
  return (await knownExchange(em, input))!;
}

/** Joins a merchant's program; joining again returns the existing membership. */
export async function joinMembership(em: EntityManager, userId: string, merchantId: string): Promise<Membership> {
  await requireProgram(em, merchantId);
  await em.createQueryBuilder(Membership).insert({ userId, merchantId, joinedAt: new Date() }).onConflict(['userId', 'merchantId']).ignore().execute();
  return em.findOneOrFail(Membership, { userId, merchantId }, { disableIdentityMap: true });
}
