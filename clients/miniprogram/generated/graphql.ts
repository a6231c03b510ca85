/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CouponChannel =
  /** Only members of the merchant's membership program may claim it. */
  | 'MEMBERS_ONLY'
  /** Offered on the payment-success page, to bring the customer back. */
  | 'PAYMENT_SUCCESS'
  /** Anyone may claim it. */
  | 'PUBLIC';

export type CouponKind =
  /** A fixed amount off the order. */
  | 'AMOUNT_OFF'
  /** A fixed amount off once the order reaches a minimum spend. */
  | 'AMOUNT_OFF_ABOVE'
  /** A percentage off the order. */
  | 'PERCENT_OFF';

export type CouponStatus =
  /** Claimed and not used yet. */
  | 'CLAIMED'
  /** Not used before its offer ended. */
  | 'EXPIRED'
  /** Used on an order. */
  | 'REDEEMED';

export type OrderStatus =
  /** Cancelled by its owner before paying; its coupons were released. */
  | 'CANCELLED'
  /** Not paid in time; its coupons were released. */
  | 'EXPIRED'
  /** Coupons may be applied and removed. */
  | 'OPEN'
  /** The provider confirmed the payment: coupons redeemed, points earned. */
  | 'PAID'
  /** Sent to the payment provider; the amount is frozen until the provider confirms. */
  | 'PAYING'
  /** The provider refunded the payment; its points were taken back. */
  | 'REFUNDED';

export type Tier =
  | 'BRONZE'
  | 'GOLD'
  | 'PLATINUM'
  | 'SILVER';

export type ApplyCouponMutationVariables = Exact<{
  orderId: string;
  couponId: string;
}>;


export type ApplyCouponMutation = { applyCoupon: { id: string, status: OrderStatus, amount: number, discount: number, amountToPay: number, expiresAt: string, coupons: Array<{ id: string, template: { id: string, title: string } }> } };

export type CancelOrderMutationVariables = Exact<{
  orderId: string;
}>;


export type CancelOrderMutation = { cancelOrder: { id: string, status: OrderStatus } };

export type ClaimCouponMutationVariables = Exact<{
  templateId: string;
  idempotencyKey: string;
  membershipPass?: string | null | undefined;
}>;


export type ClaimCouponMutation = { claimCoupon: { id: string, code: string, status: CouponStatus, template: { id: string, title: string } } };

export type ExchangePointsMutationVariables = Exact<{
  rightId: string;
  idempotencyKey: string;
}>;


export type ExchangePointsMutation = { exchangePoints: { id: string, pointsSpent: number, voucherCode: string, right: { id: string, title: string, cost: number, remainingStock: number, merchant: { id: string, name: string } | null }, points: { balance: number, tier: Tier } } };

export type JoinMembershipMutationVariables = Exact<{
  merchantId: string;
}>;


export type JoinMembershipMutation = { joinMembership: { tier: Tier, pass: string, merchant: { id: string } } };

export type MemberRightsQueryVariables = Exact<{
  merchantId: string;
}>;


export type MemberRightsQuery = { memberRights: Array<{ id: string, title: string, cost: number, remainingStock: number, merchant: { id: string, name: string } | null }>, merchant: { id: string, membershipProgram: { rights: Array<{ id: string, title: string, cost: number, remainingStock: number, merchant: { id: string, name: string } | null }> } | null } | null, me: { id: string, points: { balance: number, tier: Tier } | null } | null };

export type RightFieldsFragment = { id: string, title: string, cost: number, remainingStock: number, merchant: { id: string, name: string } | null };

export type MerchantOffersQueryVariables = Exact<{
  merchantId: string;
}>;


export type MerchantOffersQuery = { merchant: { id: string, name: string, offers: Array<{ id: string, title: string, kind: CouponKind, value: number, minSpend: number, remainingStock: number, channel: CouponChannel }> | null } | null, me: { id: string, points: { balance: number, tier: Tier } | null, memberships: Array<{ pass: string, merchant: { id: string } }> } | null };

export type MyCouponsQueryVariables = Exact<{ [key: string]: never; }>;


export type MyCouponsQuery = { me: { id: string, coupons: Array<{ id: string, template: { id: string, title: string, kind: CouponKind, value: number, minSpend: number, stackable: boolean, merchant: { id: string } } }> } | null };

export type OpenOrderMutationVariables = Exact<{
  merchantId: string;
  amount: number;
  idempotencyKey: string;
}>;


export type OpenOrderMutation = { openOrder: { id: string, status: OrderStatus, amount: number, discount: number, amountToPay: number, expiresAt: string, coupons: Array<{ id: string, template: { id: string, title: string } }> } };

export type OrderSummaryFragment = { id: string, status: OrderStatus, amount: number, discount: number, amountToPay: number, expiresAt: string, coupons: Array<{ id: string, template: { id: string, title: string } }> };

export type PayOrderMutationVariables = Exact<{
  orderId: string;
}>;


export type PayOrderMutation = { payOrder: { amount: number, expiresAt: string, sandbox: boolean, order: { id: string, status: OrderStatus } } };

export type PaymentSuccessQueryVariables = Exact<{
  orderId: string;
  merchantId: string;
}>;


export type PaymentSuccessQuery = { order: { id: string, status: OrderStatus, amount: number, amountPaid: number | null, discount: number, paidAt: string | null, pointsEarned: number | null } | null, me: { id: string, points: { balance: number, tier: Tier } | null } | null, paymentSuccessPage: { merchant: { id: string, name: string, repurchaseOffers: Array<{ id: string, title: string, remainingStock: number }> | null }, recommendations: Array<{ id: string, title: string, subtitle: string }> } };

export type PointsChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type PointsChangedSubscription = { pointsChanged: { balance: number, tier: Tier, committedAt: string, transaction: { id: string, amount: number, reason: string, reference: string } } };

export type RemoveCouponMutationVariables = Exact<{
  orderId: string;
  couponId: string;
}>;


export type RemoveCouponMutation = { removeCoupon: { id: string, status: OrderStatus, amount: number, discount: number, amountToPay: number, expiresAt: string, coupons: Array<{ id: string, template: { id: string, title: string } }> } };

export type SandboxPayMutationVariables = Exact<{
  orderId: string;
}>;


export type SandboxPayMutation = { sandboxPay: { id: string, status: OrderStatus, amountPaid: number | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const RightFieldsFragmentDoc = new TypedDocumentString(`
    fragment RightFields on MemberRight {
  id
  title
  cost
  remainingStock
  merchant {
    id
    name
  }
}
    `, {"fragmentName":"RightFields"}) as unknown as TypedDocumentString<RightFieldsFragment, unknown>;
export const OrderSummaryFragmentDoc = new TypedDocumentString(`
    fragment OrderSummary on Order {
  id
  status
  amount
  discount
  amountToPay
  expiresAt
  coupons {
    id
    template {
      id
      title
    }
  }
}
    `, {"fragmentName":"OrderSummary"}) as unknown as TypedDocumentString<OrderSummaryFragment, unknown>;
export const ApplyCouponDocument = new TypedDocumentString(`
    mutation ApplyCoupon($orderId: ID!, $couponId: ID!) {
  applyCoupon(orderId: $orderId, couponId: $couponId) {
    ...OrderSummary
  }
}
    fragment OrderSummary on Order {
  id
  status
  amount
  discount
  amountToPay
  expiresAt
  coupons {
    id
    template {
      id
      title
    }
  }
}`, {"hash":"sha256:eeeb7a729d34b162ce3b678289cf85ff1c1740cb5f1b1c8fb3a9d0746f4f6eef"}) as unknown as TypedDocumentString<ApplyCouponMutation, ApplyCouponMutationVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
    mutation CancelOrder($orderId: ID!) {
  cancelOrder(orderId: $orderId) {
    id
    status
  }
}
    `, {"hash":"sha256:6a2d68587a06abe6a428062680d3a812c3a6c7eb9d742562a329ec29b817635d"}) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;
export const ClaimCouponDocument = new TypedDocumentString(`
    mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!, $membershipPass: String) {
  claimCoupon(
    templateId: $templateId
    idempotencyKey: $idempotencyKey
    membershipPass: $membershipPass
  ) {
    id
    code
    status
    template {
      id
      title
    }
  }
}
    `, {"hash":"sha256:805a3c7df8b100d0391991fab2e990cc3fcb6ae253614cb0856a24dcaec4a24a"}) as unknown as TypedDocumentString<ClaimCouponMutation, ClaimCouponMutationVariables>;
export const ExchangePointsDocument = new TypedDocumentString(`
    mutation ExchangePoints($rightId: ID!, $idempotencyKey: String!) {
  exchangePoints(rightId: $rightId, idempotencyKey: $idempotencyKey) {
    id
    pointsSpent
    voucherCode
    right {
      ...RightFields
    }
    points {
      balance
      tier
    }
  }
}
    fragment RightFields on MemberRight {
  id
  title
  cost
  remainingStock
  merchant {
    id
    name
  }
}`, {"hash":"sha256:d1034bc14fcec5f675010236bcaa4ae0935fd560c04cf48fe37cdd485f49bf17"}) as unknown as TypedDocumentString<ExchangePointsMutation, ExchangePointsMutationVariables>;
export const JoinMembershipDocument = new TypedDocumentString(`
    mutation JoinMembership($merchantId: ID!) {
  joinMembership(merchantId: $merchantId) {
    merchant {
      id
    }
    tier
    pass
  }
}
    `, {"hash":"sha256:b817a174b419c0ece997a12963bc0112fd2722c3cfb2418687292c527d5a8dcc"}) as unknown as TypedDocumentString<JoinMembershipMutation, JoinMembershipMutationVariables>;
export const MemberRightsDocument = new TypedDocumentString(`
    query MemberRights($merchantId: ID!) {
  memberRights(first: 100) {
    ...RightFields
  }
  merchant(id: $merchantId) {
    id
    membershipProgram {
      rights {
        ...RightFields
      }
    }
  }
  me {
    id
    points {
      balance
      tier
    }
  }
}
    fragment RightFields on MemberRight {
  id
  title
  cost
  remainingStock
  merchant {
    id
    name
  }
}`, {"hash":"sha256:eb7a69a450d659369af4acf68b59a76c10460ea2860eb4e7212ff8c91e65497e"}) as unknown as TypedDocumentString<MemberRightsQuery, MemberRightsQueryVariables>;
export const MerchantOffersDocument = new TypedDocumentString(`
    query MerchantOffers($merchantId: ID!) {
  merchant(id: $merchantId) {
    id
    name
    offers(first: 10) {
      id
      title
      kind
      value
      minSpend
      remainingStock
      channel
    }
  }
  me {
    id
    points {
      balance
      tier
    }
    memberships {
      merchant {
        id
      }
      pass
    }
  }
}
    `, {"hash":"sha256:3418cc5c2d3016d5909acdff422f09556d848539150db492d8bae60dbd34786a"}) as unknown as TypedDocumentString<MerchantOffersQuery, MerchantOffersQueryVariables>;
export const MyCouponsDocument = new TypedDocumentString(`
    query MyCoupons {
  me {
    id
    coupons(status: CLAIMED) {
      id
      template {
        id
        title
        kind
        value
        minSpend
        stackable
        merchant {
          id
        }
      }
    }
  }
}
    `, {"hash":"sha256:86df7e19d7e1930074906feeaa7f4c527310a38e317a4877196dbe2bae22cf8f"}) as unknown as TypedDocumentString<MyCouponsQuery, MyCouponsQueryVariables>;
export const OpenOrderDocument = new TypedDocumentString(`
    mutation OpenOrder($merchantId: ID!, $amount: Int!, $idempotencyKey: String!) {
  openOrder(
    merchantId: $merchantId
    amount: $amount
    idempotencyKey: $idempotencyKey
  ) {
    ...OrderSummary
  }
}
    fragment OrderSummary on Order {
  id
  status
  amount
  discount
  amountToPay
  expiresAt
  coupons {
    id
    template {
      id
      title
    }
  }
}`, {"hash":"sha256:577c443e2b52110fd7750607b453dbf6359a8b91384d780874c34b7d93d95bf7"}) as unknown as TypedDocumentString<OpenOrderMutation, OpenOrderMutationVariables>;
export const PayOrderDocument = new TypedDocumentString(`
    mutation PayOrder($orderId: ID!) {
  payOrder(orderId: $orderId) {
    amount
    expiresAt
    sandbox
    order {
      id
      status
    }
  }
}
    `, {"hash":"sha256:8a3907933e7bbc9bdddd5262fba26631b3721efe816d2b93326138e97b2e36a3"}) as unknown as TypedDocumentString<PayOrderMutation, PayOrderMutationVariables>;
export const PaymentSuccessDocument = new TypedDocumentString(`
    query PaymentSuccess($orderId: ID!, $merchantId: ID!) {
  order(id: $orderId) {
    id
    status
    amount
    amountPaid
    discount
    paidAt
    pointsEarned
  }
  me {
    id
    points {
      balance
      tier
    }
  }
  paymentSuccessPage(merchantId: $merchantId) {
    merchant {
      id
      name
      repurchaseOffers(first: 3) {
        id
        title
        remainingStock
      }
    }
    recommendations {
      id
      title
      subtitle
    }
  }
}
    `, {"hash":"sha256:22a9ace42df3da22dbd74b67dee21b9fb493dde96087604bf208a3079681dfed"}) as unknown as TypedDocumentString<PaymentSuccessQuery, PaymentSuccessQueryVariables>;
export const PointsChangedDocument = new TypedDocumentString(`
    subscription PointsChanged {
  pointsChanged {
    balance
    tier
    committedAt
    transaction {
      id
      amount
      reason
      reference
    }
  }
}
    `, {"hash":"sha256:9a98e678d36ddc9a883f4fa329d3cd853413968f78bcf45bfd5632f6755e1d88"}) as unknown as TypedDocumentString<PointsChangedSubscription, PointsChangedSubscriptionVariables>;
export const RemoveCouponDocument = new TypedDocumentString(`
    mutation RemoveCoupon($orderId: ID!, $couponId: ID!) {
  removeCoupon(orderId: $orderId, couponId: $couponId) {
    ...OrderSummary
  }
}
    fragment OrderSummary on Order {
  id
  status
  amount
  discount
  amountToPay
  expiresAt
  coupons {
    id
    template {
      id
      title
    }
  }
}`, {"hash":"sha256:e83644259693ef14c07da5597c6ecd2772dd5ebac5832287349706dda328b305"}) as unknown as TypedDocumentString<RemoveCouponMutation, RemoveCouponMutationVariables>;
export const SandboxPayDocument = new TypedDocumentString(`
    mutation SandboxPay($orderId: ID!) {
  sandboxPay(orderId: $orderId) {
    id
    status
    amountPaid
  }
}
    `, {"hash":"sha256:eaa720b93e3919de6fd8033843a5c559043cc55e8bdc643b30a9be68eab24b60"}) as unknown as TypedDocumentString<SandboxPayMutation, SandboxPayMutationVariables>;