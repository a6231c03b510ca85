/** The tabs the playground opens with: the headline query, then the main flows, in the order a client meets them, and the points pushed as they change. */
import home from '../homepage/Home.graphql?raw';
import homepageFeed from '../homepage/HomepageFeed.graphql?raw';
import merchantOffers from '../miniprogram/MerchantOffers.graphql?raw';
import claimCoupon from '../miniprogram/ClaimCoupon.graphql?raw';
import openOrder from '../miniprogram/OpenOrder.graphql?raw';
import applyCoupon from '../miniprogram/ApplyCoupon.graphql?raw';
import orderSummary from '../miniprogram/OrderSummary.graphql?raw';
import payOrder from '../miniprogram/PayOrder.graphql?raw';
import sandboxPay from '../miniprogram/SandboxPay.graphql?raw';
import paymentSuccess from '../miniprogram/PaymentSuccess.graphql?raw';
import pointsChanged from '../miniprogram/PointsChanged.graphql?raw';

export interface PlaygroundTab {
  query: string;
  variables?: string;
}

const vars = (value: Record<string, unknown>) => JSON.stringify(value, null, 2);
/** An operation with the fragment it spreads, so the tab's document runs on its own. */
const withFragment = (operation: string, fragment: string) => `${operation}\n${fragment}`;

export const PLAYGROUND_TABS: PlaygroundTab[] = [
  { query: home, variables: vars({ city: 'Shanghai', merchantId: 'm1' }) },
  { query: homepageFeed, variables: vars({ city: 'Shanghai' }) },
  { query: merchantOffers, variables: vars({ merchantId: 'm1' }) },
  { query: claimCoupon, variables: vars({ templateId: 'o1-1', idempotencyKey: 'playground-claim-1' }) },
  // amounts are in fen: 12800 is ¥128.00
  { query: withFragment(openOrder, orderSummary), variables: vars({ merchantId: 'm1', amount: 12800, idempotencyKey: 'playground-order-1' }) },
  { query: withFragment(applyCoupon, orderSummary), variables: vars({ orderId: '<id from OpenOrder>', couponId: '<id from ClaimCoupon>' }) },
  { query: payOrder, variables: vars({ orderId: '<id from OpenOrder>' }) },
  { query: sandboxPay, variables: vars({ orderId: '<id from OpenOrder>' }) },
  { query: paymentSuccess, variables: vars({ orderId: '<id from OpenOrder>', merchantId: 'm1' }) },
  // a subscription (over WebSocket): sign in first, run it, then pay an order in another tab
  { query: pointsChanged },
];
