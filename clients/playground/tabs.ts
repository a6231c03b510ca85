/** The tabs the playground opens with: the headline query, then the main flows, in the order a client meets them. */
import home from '../homepage/Home.graphql?raw';
import homepageFeed from '../homepage/HomepageFeed.graphql?raw';
import merchantOffers from '../miniprogram/MerchantOffers.graphql?raw';
import claimCoupon from '../miniprogram/ClaimCoupon.graphql?raw';
import redeemCoupon from '../miniprogram/RedeemCoupon.graphql?raw';
import completePayment from '../miniprogram/CompletePayment.graphql?raw';
import paymentSuccess from '../miniprogram/PaymentSuccess.graphql?raw';

export interface PlaygroundTab {
  query: string;
  variables?: string;
}

const vars = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);

export const PLAYGROUND_TABS: PlaygroundTab[] = [
  { query: home, variables: vars({ city: 'Shanghai', merchantId: 'm1' }) },
  { query: homepageFeed, variables: vars({ city: 'Shanghai' }) },
  { query: merchantOffers, variables: vars({ merchantId: 'm1' }) },
  { query: claimCoupon, variables: vars({ templateId: 'o1-1', idempotencyKey: 'playground-claim-1' }) },
  { query: redeemCoupon, variables: vars({ couponId: '<id from ClaimCoupon>', merchantId: 'm1', orderAmount: 120, paymentId: 'playground-pay-1' }) },
  { query: completePayment, variables: vars({ paymentId: 'playground-pay-1', merchantId: 'm1', amount: 100, couponId: '<id from ClaimCoupon>' }) },
  { query: paymentSuccess, variables: vars({ merchantId: 'm1', paymentId: 'playground-pay-1' }) },
];
