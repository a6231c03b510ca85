/**
 * A merchant's mini-program, walking the in-store loop through the gateway with
 * persisted operations: the merchant's offers → claim a coupon → open an order for the
 * amount at the till → apply a coupon (Plaza prices it) → pay (payOrder, then the
 * development sandbox plays the provider) → the payment-success page with what was paid,
 * the points it earned, the user's balance and tier, and the merchant's repurchase offers;
 * the points a payment earns are also pushed to the page as Plaza credits them (the
 * pointsChanged subscription over WebSocket, opened on the order screen before paying, so
 * the credit cannot be missed, and ended back at the offers), shown the moment they land;
 * there, "My points" lists the member rights the points buy (this merchant's and the
 * platform-wide ones, each with its cost) and exchanges points for one (exchangePoints,
 * one idempotency key per attempt, so "Try again" after a failure never spends twice).
 *
 * Every amount comes from Plaza in fen; the page only converts what the user types.
 *
 * URL: /miniprogram/?merchant=m1#token=<bearer token of the signed-in user>.
 */
import '../homepage/style.css';
import './style.css';
import {
  ApplyCouponDocument,
  CancelOrderDocument,
  ClaimCouponDocument,
  JoinMembershipDocument,
  MerchantOffersDocument,
  MyCouponsDocument,
  OpenOrderDocument,
  PaymentSuccessDocument,
  PayOrderDocument,
  PointsChangedDocument,
  RemoveCouponDocument,
  SandboxPayDocument,
  type ClaimCouponMutation,
  type MerchantOffersQuery,
  type MyCouponsQuery,
  type OrderSummaryFragment,
  type PointsChangedSubscription,
  type Tier,
} from './generated/graphql.ts';
import manifest from './generated/persisted-documents.json' with { type: 'json' };
import { createPersistedClient } from '../shared/persisted.ts';
import { createLiveClient } from '../shared/live.ts';
import { el, errorMessage, readToken, show, showBusy, showError } from '../shared/dom.ts';
import { fenFromYuan, yuan } from './money.ts';
import { myPoints } from './points.ts';

const merchantId = new URLSearchParams(location.search).get('merchant') || 'm1';
const token = readToken();
const client = createPersistedClient({ clientName: 'miniprogram', clientVersion: '1.0.0', manifest, token: () => token });
const live = createLiveClient({ clientName: 'miniprogram', clientVersion: '1.0.0', manifest, token: () => token });
addEventListener('pagehide', () => void live.dispose());

const app = document.getElementById('app')!;
const pointsBox = document.getElementById('points')!;
const title = document.getElementById('merchant-name')!;

type Offer = NonNullable<NonNullable<MerchantOffersQuery['merchant']>['offers']>[number];
type ClaimedCoupon = ClaimCouponMutation['claimCoupon'];
type MyCoupon = NonNullable<MyCouponsQuery['me']>['coupons'][number];
type Order = OrderSummaryFragment;
type PointsChange = PointsChangedSubscription['pointsChanged'];

function showPoints(points: { balance: number; tier: Tier } | null): void {
  pointsBox.replaceChildren(
    points === null
      ? el('span', {}, 'Sign in to earn points')
      : el('span', {}, el('strong', { 'data-testid': 'points-balance' }, String(points.balance)), ' points · ', el('span', { 'data-testid': 'points-tier' }, points.tier)),
  );
}

function offerLabel(offer: Pick<Offer, 'kind' | 'value' | 'minSpend'>): string {
  if (offer.kind === 'PERCENT_OFF') return `${offer.value}% off`;
  if (offer.kind === 'AMOUNT_OFF_ABOVE') return `¥${offer.value} off orders of ¥${offer.minSpend}+`;
  return `¥${offer.value} off`;
}

/** An inline alert under what failed, so the screen (the order, the form) stays usable. */
function problemNote(context: string, error: unknown): HTMLElement {
  return el('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, `${context}: ${errorMessage(error)}`);
}

/** The user's points changes while paying: those received so far, and the screen listening for the next ones. */
interface PointsFeed {
  received: PointsChange[];
  listener: ((change: PointsChange) => void) | null;
  stop(): void;
}
let pointsFeed: PointsFeed | null = null;

/** Subscribes to the user's points changes (once per visit to the checkout); the header follows each one. */
function watchPoints(): void {
  if (pointsFeed || !token) return;
  const feed: PointsFeed = { received: [], listener: null, stop: () => {} };
  feed.stop = live.subscribe(PointsChangedDocument, {}, {
    next({ pointsChanged }) {
      feed.received.push(pointsChanged);
      showPoints(pointsChanged);
      feed.listener?.(pointsChanged);
    },
    // nothing to show: the screens read the points from Plaza's answers as they did without it
    error() {},
  });
  pointsFeed = feed;
}

function stopWatchingPoints(): void {
  pointsFeed?.stop();
  pointsFeed = null;
}

/** Screen 1: the merchant's offers, each claimable by the signed-in user. */
async function showOffers(): Promise<void> {
  stopWatchingPoints();
  showBusy(app, 'Loading offers…');
  try {
    const { data } = await client.run(MerchantOffersDocument, { merchantId });
    showPoints(data.me?.points ?? null);
    if (!data.merchant) {
      show(app, el('p', { role: 'alert' }, 'This merchant is not on Plaza.'));
      return;
    }
    const merchantName = data.merchant.name;
    title.textContent = merchantName;
    // null while the coupons subgraph is unavailable
    const offers = data.merchant.offers ?? [];
    // a member's pass claims the members-only offers
    const pass = data.me?.memberships.find((m) => m.merchant.id === merchantId)?.pass ?? null;
    const membersOnly = offers.some((offer) => offer.channel === 'MEMBERS_ONLY');
    show(
      app,
      el('h2', {}, 'Offers'),
      offers.length === 0
        ? el('p', { class: 'muted' }, 'No offers right now.')
        : el(
            'ul',
            { class: 'offer-list', 'data-testid': 'offers' },
            ...offers.map((offer) =>
              el(
                'li',
                { class: 'offer', 'data-testid': 'offer' },
                el('div', {}, el('strong', {}, offer.title), el('p', { class: 'muted' }, `${offerLabel(offer)} · ${offer.remainingStock} left${offer.channel === 'MEMBERS_ONLY' ? ' · members only' : ''}`)),
                el(
                  'button',
                  {
                    type: 'button',
                    disabled: offer.remainingStock > 0 && token && (offer.channel !== 'MEMBERS_ONLY' || pass) ? false : 'disabled',
                    onclick: () => void claim(offer, merchantName, offer.channel === 'MEMBERS_ONLY' ? pass : null),
                  },
                  'Claim',
                ),
              ),
            ),
          ),
      token && membersOnly && !pass
        ? el(
            'p',
            { 'data-testid': 'join' },
            el('button', { type: 'button', onclick: () => void join() }, 'Join membership'),
            el('span', { class: 'muted' }, ' to claim the members-only offers'),
          )
        : '',
      token && pass ? el('p', { class: 'muted', 'data-testid': 'member' }, `You are a member of ${merchantName}`) : '',
      token
        ? el('p', {}, el('button', { type: 'button', class: 'secondary', onclick: () => showCheckout(merchantName, null) }, `Pay at ${merchantName}`))
        : el('p', { class: 'muted' }, 'Sign in to claim coupons.'),
    );
  } catch (error) {
    showError(app, 'The offers could not be loaded', error, () => void showOffers());
  }
}

/** Joins the merchant's membership, then shows the offers again (the members-only ones now claimable). */
async function join(): Promise<void> {
  showBusy(app, 'Joining…');
  try {
    await client.run(JoinMembershipDocument, { merchantId });
    await showOffers();
  } catch (error) {
    showError(app, 'The membership could not be joined', error, () => void showOffers());
  }
}

/** Claims a coupon (a members-only one with the membership's pass), then shows the checkout. */
async function claim(offer: Offer, merchantName: string, membershipPass: string | null): Promise<void> {
  showBusy(app, 'Claiming your coupon…');
  try {
    const { data } = await client.run(ClaimCouponDocument, { templateId: offer.id, idempotencyKey: crypto.randomUUID(), membershipPass });
    showCheckout(merchantName, { coupon: data.claimCoupon, offer });
  } catch (error) {
    showError(app, 'The coupon could not be claimed', error, () => void showOffers());
  }
}

/** Screen 2: the amount at the till, in yuan; opening the order sends it in fen. */
function showCheckout(merchantName: string, claimed: { coupon: ClaimedCoupon; offer: Offer } | null, problem?: HTMLElement, typed?: string): void {
  // one key per amount on this screen: submitting the same amount again returns the same order
  const attempt = crypto.randomUUID();
  const suggested = claimed ? String(Math.max(100, claimed.offer.minSpend + 20)) : '';
  const amount = el('input', {
    type: 'number',
    min: '0.01',
    step: '0.01',
    inputmode: 'decimal',
    required: 'required',
    value: typed ?? suggested,
    'aria-label': 'Order amount (yuan)',
    name: 'amount',
  });
  const form = el(
    'form',
    { class: 'checkout', 'data-testid': 'checkout' },
    claimed ? el('p', { 'data-testid': 'claimed' }, `Coupon claimed: ${claimed.coupon.template.title}`, el('br'), el('code', {}, claimed.coupon.code)) : null,
    el('label', {}, 'Order amount (¥) ', amount),
    problem,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Open order'), el('button', { type: 'button', class: 'secondary', onclick: () => void showOffers() }, 'Back to offers')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fen = fenFromYuan(amount.value);
    if (fen === null) {
      showCheckout(merchantName, claimed, el('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, 'Enter the amount in yuan, e.g. 128.50'), amount.value);
      return;
    }
    void openOrder(merchantName, claimed, fen, `${attempt}-${fen}`, amount.value);
  });
  show(app, el('h2', {}, `Pay ${merchantName}`), form);
  amount.focus();
}

/** Opens the order and loads the user's coupons for this merchant, then shows the order. */
async function openOrder(merchantName: string, claimed: { coupon: ClaimedCoupon; offer: Offer } | null, fen: number, idempotencyKey: string, typed: string): Promise<void> {
  showBusy(app, 'Opening your order…');
  try {
    const [opened, mine] = await Promise.all([
      client.run(OpenOrderDocument, { merchantId, amount: fen, idempotencyKey }),
      client.run(MyCouponsDocument, {}),
    ]);
    const coupons = (mine.data.me?.coupons ?? []).filter((c) => c.template.merchant.id === merchantId);
    showOrder(merchantName, opened.data.openOrder, coupons);
  } catch (error) {
    showCheckout(merchantName, claimed, problemNote('The order could not be opened', error), typed);
  }
}

/** Screen 3: the order as Plaza priced it, the user's coupons for it, and the way to pay. */
function showOrder(merchantName: string, order: Order, coupons: MyCoupon[], problem?: HTMLElement): void {
  watchPoints();
  const onOrder = new Set(order.coupons.map((c) => c.id));
  const usable = coupons.filter((c) => !onOrder.has(c.id));
  show(
    app,
    el('h2', {}, `Your order at ${merchantName}`),
    el(
      'section',
      { class: 'checkout', 'data-testid': 'order', 'data-order-id': order.id },
      el(
        'dl',
        { class: 'bill' },
        el('dt', {}, 'Order'),
        el('dd', { 'data-testid': 'order-amount' }, yuan(order.amount)),
        el('dt', {}, 'Coupons'),
        el('dd', { 'data-testid': 'order-discount' }, `−${yuan(order.discount)}`),
        el('dt', {}, el('strong', {}, 'To pay')),
        el('dd', {}, el('strong', { 'data-testid': 'order-to-pay' }, yuan(order.amountToPay))),
      ),
      order.coupons.length
        ? el(
            'ul',
            { class: 'offer-list', 'data-testid': 'order-coupons' },
            ...order.coupons.map((c) =>
              el('li', { class: 'offer' }, el('span', {}, c.template.title), el('button', { type: 'button', class: 'secondary', onclick: () => void changeCoupon('remove', merchantName, order, coupons, c.id) }, 'Remove')),
            ),
          )
        : null,
      problem,
      el('p', { class: 'muted' }, `Pay before ${new Date(order.expiresAt).toLocaleTimeString()}; your coupons are held for this order until then.`),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', onclick: () => void pay(merchantName, order.id) }, `Pay ${yuan(order.amountToPay)} with the sandbox`),
        el('button', { type: 'button', class: 'secondary', onclick: () => void cancel(merchantName, order, coupons) }, 'Cancel order'),
      ),
    ),
    el('h2', {}, 'Your coupons here'),
    usable.length
      ? el(
          'ul',
          { class: 'offer-list', 'data-testid': 'my-coupons' },
          ...usable.map((c) =>
            el(
              'li',
              { class: 'offer', 'data-testid': 'my-coupon', 'data-coupon-id': c.id },
              el('div', {}, el('strong', {}, c.template.title), el('p', { class: 'muted' }, `${offerLabel(c.template)}${c.template.stackable ? ' · combines with other fixed amounts off' : ''}`)),
              el('button', { type: 'button', onclick: () => void changeCoupon('apply', merchantName, order, coupons, c.id) }, 'Apply'),
            ),
          ),
        )
      : el('p', { class: 'muted' }, 'No other coupons for this merchant.'),
  );
}

/** Applies a coupon to the order or takes it off; Plaza prices the order again. */
async function changeCoupon(change: 'apply' | 'remove', merchantName: string, order: Order, coupons: MyCoupon[], couponId: string): Promise<void> {
  showBusy(app, change === 'apply' ? 'Applying your coupon…' : 'Removing the coupon…');
  try {
    const changed =
      change === 'apply'
        ? (await client.run(ApplyCouponDocument, { orderId: order.id, couponId })).data.applyCoupon
        : (await client.run(RemoveCouponDocument, { orderId: order.id, couponId })).data.removeCoupon;
    showOrder(merchantName, changed, coupons);
  } catch (error) {
    showOrder(merchantName, order, coupons, problemNote(change === 'apply' ? 'The coupon could not be applied' : 'The coupon could not be removed', error));
  }
}

/** Cancels the order, releasing its coupons, and goes back to the offers. */
async function cancel(merchantName: string, order: Order, coupons: MyCoupon[]): Promise<void> {
  showBusy(app, 'Cancelling your order…');
  try {
    await client.run(CancelOrderDocument, { orderId: order.id });
    await showOffers();
  } catch (error) {
    showOrder(merchantName, order, coupons, problemNote('The order could not be cancelled', error));
  }
}

/**
 * Asks Plaza for the payment (the order is frozen from here), then has the development
 * sandbox pay it; both steps are safe to repeat, so "Try again" repeats them.
 */
async function pay(merchantName: string, orderId: string): Promise<void> {
  showBusy(app, 'Paying…');
  try {
    const request = (await client.run(PayOrderDocument, { orderId })).data.payOrder;
    if (!request.sandbox) {
      show(app, el('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, `Pay ${yuan(request.amount)} in the Plaza app: this page only pays through the development sandbox.`));
      return;
    }
    await client.run(SandboxPayDocument, { orderId });
  } catch (error) {
    showError(app, 'The payment could not be completed', error, () => void pay(merchantName, orderId));
    return;
  }
  await showSuccess(merchantName, orderId);
}

/** Screen 4: the payment-success page, all from Plaza: paid, points earned, balance and tier now, offers to come back. */
async function showSuccess(merchantName: string, orderId: string): Promise<void> {
  watchPoints();
  showBusy(app, 'Confirming your payment…');
  try {
    const { data } = await client.run(PaymentSuccessDocument, { orderId, merchantId });
    const { order, paymentSuccessPage: page } = data;
    const points = data.me?.points ?? null;
    if (!order || order.amountPaid === null) {
      show(app, el('p', { role: 'alert', 'data-testid': 'error' }, 'This order has not been paid.'));
      return;
    }
    showPoints(points);
    const earned = el('p', { 'data-testid': 'points-earned' }, order.pointsEarned === null ? 'Your points for this payment are on their way.' : `+${order.pointsEarned} points`);
    const pointsNow = el('p', { 'data-testid': 'points-now', hidden: points ? false : 'hidden' });
    const credited = el('p', { role: 'status', class: 'credited', 'data-testid': 'points-credited' });
    const showBalance = (now: { balance: number; tier: Tier }) => {
      pointsNow.hidden = false;
      pointsNow.replaceChildren('Balance ', el('strong', { 'data-testid': 'balance-now' }, String(now.balance)), ' points · tier ', el('strong', { 'data-testid': 'tier-now' }, now.tier));
    };
    if (points) showBalance(points);
    const mine = myPoints({
      client,
      merchantId,
      onBalance(now) {
        showPoints(now);
        showBalance(now);
      },
    });
    /** A points change as Plaza pushed it: this payment's credit fills in what it earned; any change, the balance. */
    const onChange = (change: PointsChange) => {
      showBalance(change);
      mine.setPoints(change);
      if (change.transaction.reason !== 'PAYMENT' || change.transaction.reference !== `order:${orderId}`) return;
      earned.textContent = `+${change.transaction.amount} points`;
      credited.replaceChildren('Credited: ', el('strong', { 'data-testid': 'credited-points' }, `+${change.transaction.amount}`), ' points, your balance is now ', el('strong', { 'data-testid': 'credited-balance' }, String(change.balance)));
    };
    show(
      app,
      el(
        'section',
        { class: 'success', 'data-testid': 'payment-success' },
        el('h2', {}, 'Payment successful'),
        el(
          'p',
          { 'data-testid': 'paid' },
          `Paid ${yuan(order.amountPaid)} at ${merchantName}`,
          order.discount > 0 ? ` (${yuan(order.discount)} off ${yuan(order.amount)} with your coupons)` : '',
        ),
        earned,
        pointsNow,
        credited,
      ),
      el(
        'section',
        { 'aria-label': 'Come back soon' },
        el('h2', {}, `Next time at ${page.merchant.name}`),
        page.merchant.repurchaseOffers?.length
          ? el('ul', { class: 'offer-list', 'data-testid': 'repurchase-offers' }, ...page.merchant.repurchaseOffers.map((o) => el('li', { class: 'offer' }, el('strong', {}, o.title), el('span', { class: 'muted' }, ` · ${o.remainingStock} left`))))
          : el('p', { class: 'muted' }, 'No repurchase offers right now.'),
      ),
      mine.section,
      page.recommendations.length
        ? el('section', { 'aria-label': 'You may also like' }, el('h2', {}, 'You may also like'), el('ul', { class: 'offer-list' }, ...page.recommendations.map((r) => el('li', { class: 'offer' }, el('strong', {}, r.title), el('span', { class: 'muted' }, ` ${r.subtitle}`)))))
        : null,
      el('button', { type: 'button', onclick: () => void showOffers() }, 'Back to offers'),
    );
    // the credit may have arrived while the page was loading; later changes show as they come
    if (pointsFeed) {
      const credit = pointsFeed.received.filter((change) => change.transaction.reference === `order:${orderId}`).pop();
      if (credit) onChange(credit);
      pointsFeed.listener = onChange;
    }
  } catch (error) {
    showError(app, 'The payment went through, but its page could not be loaded', error, () => void showSuccess(merchantName, orderId));
  }
}

void showOffers();
