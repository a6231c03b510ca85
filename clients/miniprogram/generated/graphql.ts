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

export type Tier =
  | 'BRONZE'
  | 'GOLD'
  | 'PLATINUM'
  | 'SILVER';

export type ClaimCouponMutationVariables = Exact<{
  templateId: string;
  idempotencyKey: string;
}>;


export type ClaimCouponMutation = { claimCoupon: { id: string, code: string, status: CouponStatus, template: { id: string, title: string } } };

export type CompletePaymentMutationVariables = Exact<{
  paymentId: string;
  merchantId: string;
  amount: number;
  couponId?: string | null | undefined;
}>;


export type CompletePaymentMutation = { completePayment: { paymentId: string, amount: number, pointsEarned: number, points: { balance: number, tier: Tier } } };

export type MerchantOffersQueryVariables = Exact<{
  merchantId: string;
}>;


export type MerchantOffersQuery = { merchant: { id: string, name: string, offers: Array<{ id: string, title: string, kind: CouponKind, value: number, minSpend: number, remainingStock: number, channel: CouponChannel }> | null } | null, me: { id: string, points: { balance: number, tier: Tier } | null } | null };

export type PaymentSuccessQueryVariables = Exact<{
  merchantId: string;
  paymentId?: string | null | undefined;
}>;


export type PaymentSuccessQuery = { paymentSuccessPage: { paymentId: string | null, merchant: { id: string, name: string, repurchaseOffers: Array<{ id: string, title: string, remainingStock: number }> | null }, recommendations: Array<{ id: string, title: string, subtitle: string }> } };

export type RedeemCouponMutationVariables = Exact<{
  couponId: string;
  merchantId: string;
  orderAmount: number;
  paymentId: string;
}>;


export type RedeemCouponMutation = { redeemCoupon: { orderAmount: number, discount: number, amountToPay: number, coupon: { id: string, status: CouponStatus } } };

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

export const ClaimCouponDocument = new TypedDocumentString(`
    mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!) {
  claimCoupon(templateId: $templateId, idempotencyKey: $idempotencyKey) {
    id
    code
    status
    template {
      id
      title
    }
  }
}
    `, {"hash":"sha256:0822904c1d6458b30514e6e210b26ecefaa254cb78fd97482e7e778dcb4d2630"}) as unknown as TypedDocumentString<ClaimCouponMutation, ClaimCouponMutationVariables>;
export const CompletePaymentDocument = new TypedDocumentString(`
    mutation CompletePayment($paymentId: ID!, $merchantId: ID!, $amount: Int!, $couponId: ID) {
  completePayment(
    paymentId: $paymentId
    merchantId: $merchantId
    amount: $amount
    couponId: $couponId
  ) {
    paymentId
    amount
    pointsEarned
    points {
      balance
      tier
    }
  }
}
    `, {"hash":"sha256:39f54d3a14900aa0b1c2f47dd71e79243f29002db55fbe8ee3cd3bd058d8e044"}) as unknown as TypedDocumentString<CompletePaymentMutation, CompletePaymentMutationVariables>;
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
  }
}
    `, {"hash":"sha256:12d61f6eed56c502d8b1670dca8d5cdfcd29842f1843e1ed26d98525cc39a893"}) as unknown as TypedDocumentString<MerchantOffersQuery, MerchantOffersQueryVariables>;
export const PaymentSuccessDocument = new TypedDocumentString(`
    query PaymentSuccess($merchantId: ID!, $paymentId: ID) {
  paymentSuccessPage(merchantId: $merchantId, paymentId: $paymentId) {
    paymentId
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
    `, {"hash":"sha256:6137ca381c1c552bffaca60f712b0ec699bb417c4fc68b4e1a1bc111178b369a"}) as unknown as TypedDocumentString<PaymentSuccessQuery, PaymentSuccessQueryVariables>;
export const RedeemCouponDocument = new TypedDocumentString(`
    mutation RedeemCoupon($couponId: ID!, $merchantId: ID!, $orderAmount: Int!, $paymentId: ID!) {
  redeemCoupon(
    couponId: $couponId
    merchantId: $merchantId
    orderAmount: $orderAmount
    paymentId: $paymentId
  ) {
    orderAmount
    discount
    amountToPay
    coupon {
      id
      status
    }
  }
}
    `, {"hash":"sha256:f9918758b510086e4276e8e2ba3620e7b354ccbb71db65e77b757066338d520a"}) as unknown as TypedDocumentString<RedeemCouponMutation, RedeemCouponMutationVariables>;