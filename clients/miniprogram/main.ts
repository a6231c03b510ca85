/**
 * A merchant's mini-program, walking the in-store loop through the gateway with
 * persisted operations: the merchant's offers → claim a coupon → pay with it (redeem at
 * checkout, then complete the payment) → the payment-success page with the merchant's
 * repurchase offers and the points just earned.
 *
 * URL: /miniprogram/?merchant=m1#token=<bearer token of the signed-in user>.
 */
import '../homepage/style.css';
import './style.css';
import {
  ClaimCouponDocument,
  CompletePaymentDocument,
  MerchantOffersDocument,
  PaymentSuccessDocument,
  RedeemCouponDocument,
  type ClaimCouponMutation,
  type MerchantOffersQuery,
} from './generated/graphql.ts';
import manifest from './generated/persisted-documents.json' with { type: 'json' };
import { createPersistedClient } from '../shared/persisted.ts';
import { el, readToken, show, showBusy, showError } from '../shared/dom.ts';

const merchantId = new URLSearchParams(location.search).get('merchant') || 'm1';
const token = readToken();
const client = createPersistedClient({ clientName: 'miniprogram', clientVersion: '1.0.0', manifest, token: () => token });

const app = document.getElementById('app')!;
const pointsBox = document.getElementById('points')!;
const title = document.getElementById('merchant-name')!;

type Offer = NonNullable<NonNullable<MerchantOffersQuery['merchant']>['offers']>[number];
type Coupon = ClaimCouponMutation['claimCoupon'];

function showPoints(balance: number | null): void {
  pointsBox.replaceChildren(balance === null ? el('span', {}, 'Sign in to earn points') : el('span', {}, el('strong', { 'data-testid': 'points-balance' }, String(balance)), ' points'));
}

function offerLabel(offer: Pick<Offer, 'kind' | 'value' | 'minSpend'>): string {
  if (offer.kind === 'PERCENT_OFF') return `${offer.value}% off`;
  if (offer.kind === 'AMOUNT_OFF_ABOVE') return `¥${offer.value} off orders of ¥${offer.minSpend}+`;
  return `¥${offer.value} off`;
}

/** Screen 1: the merchant's offers, each claimable by the signed-in user. */
async function showOffers(): Promise<void> {
  showBusy(app, 'Loading offers…');
  try {
    const { data } = await client.run(MerchantOffersDocument, { merchantId });
    showPoints(data.me?.points?.balance ?? null);
    if (!data.merchant) {
      show(app, el('p', { role: 'alert' }, 'This merchant is not on Plaza.'));
      return;
    }
    title.textContent = data.merchant.name;
    // null while the coupons subgraph is unavailable
    const offers = data.merchant.offers ?? [];
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
                    // members-only offers are claimed from the membership page, with the member's pass
                    disabled: offer.remainingStock > 0 && token && offer.channel !== 'MEMBERS_ONLY' ? false : 'disabled',
                    onclick: () => void claim(offer, data.merchant!.name, data.me?.points?.balance ?? 0),
                  },
                  'Claim',
                ),
              ),
            ),
          ),
      token ? null : el('p', { class: 'muted' }, 'Sign in to claim coupons.'),
    );
  } catch (error) {
    showError(app, 'The offers could not be loaded', error, () => void showOffers());
  }
}

/** Claims a coupon, then shows the checkout. */
async function claim(offer: Offer, merchantName: string, pointsBefore: number): Promise<void> {
  showBusy(app, 'Claiming your coupon…');
  try {
    const { data } = await client.run(ClaimCouponDocument, { templateId: offer.id, idempotencyKey: crypto.randomUUID() });
    showCheckout(data.claimCoupon, offer, merchantName, pointsBefore);
  } catch (error) {
    showError(app, 'The coupon could not be claimed', error, () => void showOffers());
  }
}

/** Screen 2: the order with the claimed coupon. */
function showCheckout(coupon: Coupon, offer: Offer, merchantName: string, pointsBefore: number): void {
  const amount = el('input', { type: 'number', min: '1', step: '1', value: String(Math.max(100, offer.minSpend + 20)), 'aria-label': 'Order amount (yuan)', name: 'amount' });
  const form = el(
    'form',
    { class: 'checkout', 'data-testid': 'checkout' },
    el('p', { 'data-testid': 'claimed' }, `Coupon claimed: ${coupon.template.title}`, el('br'), el('code', {}, coupon.code)),
    el('label', {}, 'Order amount (¥) ', amount),
    el('button', { type: 'submit' }, 'Pay with coupon'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void pay(coupon, Number(amount.value), merchantName, pointsBefore);
  });
  show(app, el('h2', {}, `Pay ${merchantName}`), form);
}

/** Redeems the coupon at checkout, completes the payment, then opens the success page. */
async function pay(coupon: Coupon, orderAmount: number, merchantName: string, pointsBefore: number): Promise<void> {
  showBusy(app, 'Paying…');
  // one id for the whole payment, so a retried step never charges or earns twice
  const paymentId = `pay-${crypto.randomUUID()}`;
  try {
    const redeemed = await client.run(RedeemCouponDocument, { couponId: coupon.id, merchantId, orderAmount, paymentId });
    const { amountToPay, discount } = redeemed.data.redeemCoupon;
    const paid = await client.run(CompletePaymentDocument, { paymentId, merchantId, amount: amountToPay, couponId: coupon.id });
    const success = await client.run(PaymentSuccessDocument, { merchantId, paymentId });
    const payment = paid.data.completePayment;
    const page = success.data.paymentSuccessPage;
    showPoints(payment.points.balance);
    show(
      app,
      el(
        'section',
        { class: 'success', 'data-testid': 'payment-success' },
        el('h2', {}, 'Payment successful'),
        el('p', { 'data-testid': 'paid' }, `Paid ¥${payment.amount} at ${merchantName} (¥${discount} off with your coupon)`),
        el('p', { 'data-testid': 'points-earned' }, `+${payment.pointsEarned} points · balance ${pointsBefore} → ${payment.points.balance}`),
      ),
      el(
        'section',
        { 'aria-label': 'Come back soon' },
        el('h2', {}, `Next time at ${page.merchant.name}`),
        page.merchant.repurchaseOffers?.length
          ? el('ul', { class: 'offer-list', 'data-testid': 'repurchase-offers' }, ...page.merchant.repurchaseOffers.map((o) => el('li', { class: 'offer' }, el('strong', {}, o.title), el('span', { class: 'muted' }, ` · ${o.remainingStock} left`))))
          : el('p', { class: 'muted' }, 'No repurchase offers right now.'),
      ),
      page.recommendations.length
        ? el('section', { 'aria-label': 'You may also like' }, el('h2', {}, 'You may also like'), el('ul', { class: 'offer-list' }, ...page.recommendations.map((r) => el('li', { class: 'offer' }, el('strong', {}, r.title), el('span', { class: 'muted' }, ` ${r.subtitle}`)))))
        : null,
      el('button', { type: 'button', onclick: () => void showOffers() }, 'Back to offers'),
    );
  } catch (error) {
    showError(app, 'The payment could not be completed', error, () => void showOffers());
  }
}

void showOffers();
