/**
 * "My points", on the payment-success screen: the member rights the user's points buy
 * (this merchant's own first, then the platform-wide ones), each with its cost in points,
 * and an Exchange button. Each click is one attempt with its own idempotency key; "Try
 * again" after a failure repeats that attempt with the same key, so Plaza spends the
 * points at most once. The new balance and the exchange (its voucher code) come from
 * Plaza's answer; a refusal (INSUFFICIENT_POINTS, OUT_OF_STOCK…) shows its message and code.
 */
import { ExchangePointsDocument, MemberRightsDocument, type ExchangePointsMutation, type RightFieldsFragment, type Tier } from './generated/graphql.ts';
import type { createPersistedClient } from '../shared/persisted.ts';
import { el, errorMessage, show, showBusy, showError } from '../shared/dom.ts';

type Right = RightFieldsFragment;
type Exchange = ExchangePointsMutation['exchangePoints'];
type Points = { balance: number; tier: Tier };

export interface MyPointsOptions {
  client: ReturnType<typeof createPersistedClient>;
  merchantId: string;
  /** Called with the user's points after an exchange. */
  onBalance(points: Points): void;
}

/** The rights to show: the merchant's own, then the platform-wide ones, each once. */
function rightsToShow(merchantId: string, own: Right[], listed: Right[]): Right[] {
  const byId = new Map<string, Right>();
  for (const right of own) byId.set(right.id, right);
  for (const right of listed) if (!right.merchant || right.merchant.id === merchantId) byId.set(right.id, byId.get(right.id) ?? right);
  return [...byId.values()];
}

export interface MyPoints {
  section: HTMLElement;
  /** Shows a balance Plaza reported elsewhere (a live points change) without loading again. */
  setPoints(points: Points): void;
}

/** The "My points" section; it loads the rights itself, after the rest of the screen shows. */
export function myPoints({ client, merchantId, onBalance }: MyPointsOptions): MyPoints {
  const body = el('div', { 'aria-busy': 'true' });
  const section = el('section', { 'aria-label': 'My points', class: 'my-points', 'data-testid': 'my-points' }, el('h2', {}, 'My points'), body);
  let points: Points | null = null;
  let rights: Right[] = [];
  const exchanges: Exchange[] = [];
  /** A refusal or failure, shown in the right's row. */
  const problems = new Map<string, HTMLElement>();

  async function load(): Promise<void> {
    showBusy(body, 'Loading member rights…');
    try {
      const { data } = await client.run(MemberRightsDocument, { merchantId });
      points = data.me?.points ?? null;
      rights = rightsToShow(merchantId, data.merchant?.membershipProgram?.rights ?? [], data.memberRights);
      render();
    } catch (error) {
      showError(body, 'The member rights could not be loaded', error, () => void load());
    }
  }

  function render(busy?: string): void {
    show(
      body,
      points
        ? el('p', { 'data-testid': 'points-left' }, 'You have ', el('strong', { 'data-testid': 'points-available' }, String(points.balance)), ' points to spend')
        : el('p', { class: 'muted' }, 'Sign in to spend your points.'),
      exchanges.length
        ? el(
            'ul',
            { class: 'offer-list', 'data-testid': 'exchanges' },
            ...exchanges.map((x) =>
              el(
                'li',
                { class: 'offer exchange', 'data-testid': 'exchange', 'data-exchange-id': x.id },
                el('div', {}, el('strong', {}, `Exchanged for ${x.right.title}`), el('p', { class: 'muted' }, `−${x.pointsSpent} points · voucher `, el('code', { 'data-testid': 'voucher' }, x.voucherCode))),
              ),
            ),
          )
        : null,
      rights.length === 0
        ? el('p', { class: 'muted' }, 'No member rights to exchange right now.')
        : el(
            'ul',
            { class: 'offer-list', 'data-testid': 'rights' },
            ...rights.map((right) =>
              el(
                'li',
                { class: 'right', 'data-testid': 'right', 'data-right-id': right.id },
                el(
                  'div',
                  { class: 'offer' },
                  el(
                    'div',
                    {},
                    el('strong', {}, right.title),
                    el(
                      'p',
                      { class: 'muted' },
                      el('span', { 'data-testid': 'right-cost' }, `${right.cost} points`),
                      ` · ${right.remainingStock} left`,
                      right.merchant ? ` · at ${right.merchant.name}` : ' · anywhere on Plaza',
                    ),
                  ),
                  el(
                    'button',
                    {
                      type: 'button',
                      disabled: points && right.remainingStock > 0 && !busy ? false : 'disabled',
                      onclick: () => void exchange(right, `exchange-${crypto.randomUUID()}`),
                    },
                    busy === right.id ? 'Exchanging…' : 'Exchange',
                  ),
                ),
                problems.get(right.id),
              ),
            ),
          ),
    );
  }

  /** One attempt: the key stays the same when it is tried again. */
  async function exchange(right: Right, idempotencyKey: string): Promise<void> {
    problems.delete(right.id);
    render(right.id);
    body.setAttribute('aria-busy', 'true');
    try {
      const { data } = await client.run(ExchangePointsDocument, { rightId: right.id, idempotencyKey });
      const done = data.exchangePoints;
      if (!exchanges.some((x) => x.id === done.id)) exchanges.unshift(done);
      points = done.points;
      rights = rights.map((r) => (r.id === done.right.id ? done.right : r));
      onBalance(done.points);
      render();
    } catch (error) {
      const code = (error as { code?: string }).code;
      // a refusal is final; a failure on the way may have been spent or not: trying again with the same key tells
      const failed = code === 'NETWORK_ERROR' || code?.startsWith('HTTP_5');
      const retry = failed ? el('button', { type: 'button', class: 'secondary', onclick: () => void exchange(right, idempotencyKey) }, 'Try again') : null;
      const what = failed ? 'The exchange did not go through' : 'The exchange was refused';
      problems.set(right.id, el('div', { class: 'error', role: 'alert', 'data-testid': 'exchange-error' }, el('p', {}, `${what}: ${errorMessage(error)}`), retry));
      render();
    }
  }

  function setPoints(now: Points): void {
    points = now;
    const shown = body.querySelector('[data-testid="points-available"]');
    if (shown) shown.textContent = String(now.balance);
  }

  void load();
  return { section, setPoints };
}
