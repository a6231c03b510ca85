/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!) {\n  claimCoupon(templateId: $templateId, idempotencyKey: $idempotencyKey) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}": typeof types.ClaimCouponDocument,
    "mutation CompletePayment($paymentId: ID!, $merchantId: ID!, $amount: Int!, $couponId: ID) {\n  completePayment(\n    paymentId: $paymentId\n    merchantId: $merchantId\n    amount: $amount\n    couponId: $couponId\n  ) {\n    paymentId\n    amount\n    pointsEarned\n    points {\n      balance\n      tier\n    }\n  }\n}": typeof types.CompletePaymentDocument,
    "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}": typeof types.MerchantOffersDocument,
    "query PaymentSuccess($merchantId: ID!, $paymentId: ID) {\n  paymentSuccessPage(merchantId: $merchantId, paymentId: $paymentId) {\n    paymentId\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}": typeof types.PaymentSuccessDocument,
    "mutation RedeemCoupon($couponId: ID!, $merchantId: ID!, $orderAmount: Int!, $paymentId: ID!) {\n  redeemCoupon(\n    couponId: $couponId\n    merchantId: $merchantId\n    orderAmount: $orderAmount\n    paymentId: $paymentId\n  ) {\n    orderAmount\n    discount\n    amountToPay\n    coupon {\n      id\n      status\n    }\n  }\n}": typeof types.RedeemCouponDocument,
};
const documents: Documents = {
    "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!) {\n  claimCoupon(templateId: $templateId, idempotencyKey: $idempotencyKey) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}": types.ClaimCouponDocument,
    "mutation CompletePayment($paymentId: ID!, $merchantId: ID!, $amount: Int!, $couponId: ID) {\n  completePayment(\n    paymentId: $paymentId\n    merchantId: $merchantId\n    amount: $amount\n    couponId: $couponId\n  ) {\n    paymentId\n    amount\n    pointsEarned\n    points {\n      balance\n      tier\n    }\n  }\n}": types.CompletePaymentDocument,
    "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}": types.MerchantOffersDocument,
    "query PaymentSuccess($merchantId: ID!, $paymentId: ID) {\n  paymentSuccessPage(merchantId: $merchantId, paymentId: $paymentId) {\n    paymentId\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}": types.PaymentSuccessDocument,
    "mutation RedeemCoupon($couponId: ID!, $merchantId: ID!, $orderAmount: Int!, $paymentId: ID!) {\n  redeemCoupon(\n    couponId: $couponId\n    merchantId: $merchantId\n    orderAmount: $orderAmount\n    paymentId: $paymentId\n  ) {\n    orderAmount\n    discount\n    amountToPay\n    coupon {\n      id\n      status\n    }\n  }\n}": types.RedeemCouponDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!) {\n  claimCoupon(templateId: $templateId, idempotencyKey: $idempotencyKey) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}"): typeof import('./graphql.ts').ClaimCouponDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CompletePayment($paymentId: ID!, $merchantId: ID!, $amount: Int!, $couponId: ID) {\n  completePayment(\n    paymentId: $paymentId\n    merchantId: $merchantId\n    amount: $amount\n    couponId: $couponId\n  ) {\n    paymentId\n    amount\n    pointsEarned\n    points {\n      balance\n      tier\n    }\n  }\n}"): typeof import('./graphql.ts').CompletePaymentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}"): typeof import('./graphql.ts').MerchantOffersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PaymentSuccess($merchantId: ID!, $paymentId: ID) {\n  paymentSuccessPage(merchantId: $merchantId, paymentId: $paymentId) {\n    paymentId\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}"): typeof import('./graphql.ts').PaymentSuccessDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RedeemCoupon($couponId: ID!, $merchantId: ID!, $orderAmount: Int!, $paymentId: ID!) {\n  redeemCoupon(\n    couponId: $couponId\n    merchantId: $merchantId\n    orderAmount: $orderAmount\n    paymentId: $paymentId\n  ) {\n    orderAmount\n    discount\n    amountToPay\n    coupon {\n      id\n      status\n    }\n  }\n}"): typeof import('./graphql.ts').RedeemCouponDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
