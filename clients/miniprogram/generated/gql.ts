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
    "mutation ApplyCoupon($orderId: ID!, $couponId: ID!) {\n  applyCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}": typeof types.ApplyCouponDocument,
    "mutation CancelOrder($orderId: ID!) {\n  cancelOrder(orderId: $orderId) {\n    id\n    status\n  }\n}": typeof types.CancelOrderDocument,
    "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!, $membershipPass: String) {\n  claimCoupon(\n    templateId: $templateId\n    idempotencyKey: $idempotencyKey\n    membershipPass: $membershipPass\n  ) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}": typeof types.ClaimCouponDocument,
    "mutation ExchangePoints($rightId: ID!, $idempotencyKey: String!) {\n  exchangePoints(rightId: $rightId, idempotencyKey: $idempotencyKey) {\n    id\n    pointsSpent\n    voucherCode\n    right {\n      ...RightFields\n    }\n    points {\n      balance\n      tier\n    }\n  }\n}": typeof types.ExchangePointsDocument,
    "mutation JoinMembership($merchantId: ID!) {\n  joinMembership(merchantId: $merchantId) {\n    merchant {\n      id\n    }\n    tier\n    pass\n  }\n}": typeof types.JoinMembershipDocument,
    "query MemberRights($merchantId: ID!) {\n  memberRights(first: 100) {\n    ...RightFields\n  }\n  merchant(id: $merchantId) {\n    id\n    membershipProgram {\n      rights {\n        ...RightFields\n      }\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}\n\nfragment RightFields on MemberRight {\n  id\n  title\n  cost\n  remainingStock\n  merchant {\n    id\n    name\n  }\n}": typeof types.MemberRightsDocument,
    "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n    memberships {\n      merchant {\n        id\n      }\n      pass\n    }\n  }\n}": typeof types.MerchantOffersDocument,
    "query MyCoupons {\n  me {\n    id\n    coupons(status: CLAIMED) {\n      id\n      template {\n        id\n        title\n        kind\n        value\n        minSpend\n        stackable\n        merchant {\n          id\n        }\n      }\n    }\n  }\n}": typeof types.MyCouponsDocument,
    "mutation OpenOrder($merchantId: ID!, $amount: Int!, $idempotencyKey: String!) {\n  openOrder(\n    merchantId: $merchantId\n    amount: $amount\n    idempotencyKey: $idempotencyKey\n  ) {\n    ...OrderSummary\n  }\n}": typeof types.OpenOrderDocument,
    "fragment OrderSummary on Order {\n  id\n  status\n  amount\n  discount\n  amountToPay\n  expiresAt\n  coupons {\n    id\n    template {\n      id\n      title\n    }\n  }\n}": typeof types.OrderSummaryFragmentDoc,
    "mutation PayOrder($orderId: ID!) {\n  payOrder(orderId: $orderId) {\n    amount\n    expiresAt\n    sandbox\n    order {\n      id\n      status\n    }\n  }\n}": typeof types.PayOrderDocument,
    "query PaymentSuccess($orderId: ID!, $merchantId: ID!) {\n  order(id: $orderId) {\n    id\n    status\n    amount\n    amountPaid\n    discount\n    paidAt\n    pointsEarned\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n  paymentSuccessPage(merchantId: $merchantId) {\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}": typeof types.PaymentSuccessDocument,
    "subscription PointsChanged {\n  pointsChanged {\n    balance\n    tier\n    committedAt\n    transaction {\n      id\n      amount\n      reason\n      reference\n    }\n  }\n}": typeof types.PointsChangedDocument,
    "mutation RemoveCoupon($orderId: ID!, $couponId: ID!) {\n  removeCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}": typeof types.RemoveCouponDocument,
    "mutation SandboxPay($orderId: ID!) {\n  sandboxPay(orderId: $orderId) {\n    id\n    status\n    amountPaid\n  }\n}": typeof types.SandboxPayDocument,
};
const documents: Documents = {
    "mutation ApplyCoupon($orderId: ID!, $couponId: ID!) {\n  applyCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}": types.ApplyCouponDocument,
    "mutation CancelOrder($orderId: ID!) {\n  cancelOrder(orderId: $orderId) {\n    id\n    status\n  }\n}": types.CancelOrderDocument,
    "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!, $membershipPass: String) {\n  claimCoupon(\n    templateId: $templateId\n    idempotencyKey: $idempotencyKey\n    membershipPass: $membershipPass\n  ) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}": types.ClaimCouponDocument,
    "mutation ExchangePoints($rightId: ID!, $idempotencyKey: String!) {\n  exchangePoints(rightId: $rightId, idempotencyKey: $idempotencyKey) {\n    id\n    pointsSpent\n    voucherCode\n    right {\n      ...RightFields\n    }\n    points {\n      balance\n      tier\n    }\n  }\n}": types.ExchangePointsDocument,
    "mutation JoinMembership($merchantId: ID!) {\n  joinMembership(merchantId: $merchantId) {\n    merchant {\n      id\n    }\n    tier\n    pass\n  }\n}": types.JoinMembershipDocument,
    "query MemberRights($merchantId: ID!) {\n  memberRights(first: 100) {\n    ...RightFields\n  }\n  merchant(id: $merchantId) {\n    id\n    membershipProgram {\n      rights {\n        ...RightFields\n      }\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}\n\nfragment RightFields on MemberRight {\n  id\n  title\n  cost\n  remainingStock\n  merchant {\n    id\n    name\n  }\n}": types.MemberRightsDocument,
    "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n    memberships {\n      merchant {\n        id\n      }\n      pass\n    }\n  }\n}": types.MerchantOffersDocument,
    "query MyCoupons {\n  me {\n    id\n    coupons(status: CLAIMED) {\n      id\n      template {\n        id\n        title\n        kind\n        value\n        minSpend\n        stackable\n        merchant {\n          id\n        }\n      }\n    }\n  }\n}": types.MyCouponsDocument,
    "mutation OpenOrder($merchantId: ID!, $amount: Int!, $idempotencyKey: String!) {\n  openOrder(\n    merchantId: $merchantId\n    amount: $amount\n    idempotencyKey: $idempotencyKey\n  ) {\n    ...OrderSummary\n  }\n}": types.OpenOrderDocument,
    "fragment OrderSummary on Order {\n  id\n  status\n  amount\n  discount\n  amountToPay\n  expiresAt\n  coupons {\n    id\n    template {\n      id\n      title\n    }\n  }\n}": types.OrderSummaryFragmentDoc,
    "mutation PayOrder($orderId: ID!) {\n  payOrder(orderId: $orderId) {\n    amount\n    expiresAt\n    sandbox\n    order {\n      id\n      status\n    }\n  }\n}": types.PayOrderDocument,
    "query PaymentSuccess($orderId: ID!, $merchantId: ID!) {\n  order(id: $orderId) {\n    id\n    status\n    amount\n    amountPaid\n    discount\n    paidAt\n    pointsEarned\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n  paymentSuccessPage(merchantId: $merchantId) {\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}": types.PaymentSuccessDocument,
    "subscription PointsChanged {\n  pointsChanged {\n    balance\n    tier\n    committedAt\n    transaction {\n      id\n      amount\n      reason\n      reference\n    }\n  }\n}": types.PointsChangedDocument,
    "mutation RemoveCoupon($orderId: ID!, $couponId: ID!) {\n  removeCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}": types.RemoveCouponDocument,
    "mutation SandboxPay($orderId: ID!) {\n  sandboxPay(orderId: $orderId) {\n    id\n    status\n    amountPaid\n  }\n}": types.SandboxPayDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ApplyCoupon($orderId: ID!, $couponId: ID!) {\n  applyCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}"): typeof import('./graphql.ts').ApplyCouponDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelOrder($orderId: ID!) {\n  cancelOrder(orderId: $orderId) {\n    id\n    status\n  }\n}"): typeof import('./graphql.ts').CancelOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ClaimCoupon($templateId: ID!, $idempotencyKey: String!, $membershipPass: String) {\n  claimCoupon(\n    templateId: $templateId\n    idempotencyKey: $idempotencyKey\n    membershipPass: $membershipPass\n  ) {\n    id\n    code\n    status\n    template {\n      id\n      title\n    }\n  }\n}"): typeof import('./graphql.ts').ClaimCouponDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ExchangePoints($rightId: ID!, $idempotencyKey: String!) {\n  exchangePoints(rightId: $rightId, idempotencyKey: $idempotencyKey) {\n    id\n    pointsSpent\n    voucherCode\n    right {\n      ...RightFields\n    }\n    points {\n      balance\n      tier\n    }\n  }\n}"): typeof import('./graphql.ts').ExchangePointsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation JoinMembership($merchantId: ID!) {\n  joinMembership(merchantId: $merchantId) {\n    merchant {\n      id\n    }\n    tier\n    pass\n  }\n}"): typeof import('./graphql.ts').JoinMembershipDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MemberRights($merchantId: ID!) {\n  memberRights(first: 100) {\n    ...RightFields\n  }\n  merchant(id: $merchantId) {\n    id\n    membershipProgram {\n      rights {\n        ...RightFields\n      }\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n}\n\nfragment RightFields on MemberRight {\n  id\n  title\n  cost\n  remainingStock\n  merchant {\n    id\n    name\n  }\n}"): typeof import('./graphql.ts').MemberRightsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MerchantOffers($merchantId: ID!) {\n  merchant(id: $merchantId) {\n    id\n    name\n    offers(first: 10) {\n      id\n      title\n      kind\n      value\n      minSpend\n      remainingStock\n      channel\n    }\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n    memberships {\n      merchant {\n        id\n      }\n      pass\n    }\n  }\n}"): typeof import('./graphql.ts').MerchantOffersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyCoupons {\n  me {\n    id\n    coupons(status: CLAIMED) {\n      id\n      template {\n        id\n        title\n        kind\n        value\n        minSpend\n        stackable\n        merchant {\n          id\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql.ts').MyCouponsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation OpenOrder($merchantId: ID!, $amount: Int!, $idempotencyKey: String!) {\n  openOrder(\n    merchantId: $merchantId\n    amount: $amount\n    idempotencyKey: $idempotencyKey\n  ) {\n    ...OrderSummary\n  }\n}"): typeof import('./graphql.ts').OpenOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderSummary on Order {\n  id\n  status\n  amount\n  discount\n  amountToPay\n  expiresAt\n  coupons {\n    id\n    template {\n      id\n      title\n    }\n  }\n}"): typeof import('./graphql.ts').OrderSummaryFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PayOrder($orderId: ID!) {\n  payOrder(orderId: $orderId) {\n    amount\n    expiresAt\n    sandbox\n    order {\n      id\n      status\n    }\n  }\n}"): typeof import('./graphql.ts').PayOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PaymentSuccess($orderId: ID!, $merchantId: ID!) {\n  order(id: $orderId) {\n    id\n    status\n    amount\n    amountPaid\n    discount\n    paidAt\n    pointsEarned\n  }\n  me {\n    id\n    points {\n      balance\n      tier\n    }\n  }\n  paymentSuccessPage(merchantId: $merchantId) {\n    merchant {\n      id\n      name\n      repurchaseOffers(first: 3) {\n        id\n        title\n        remainingStock\n      }\n    }\n    recommendations {\n      id\n      title\n      subtitle\n    }\n  }\n}"): typeof import('./graphql.ts').PaymentSuccessDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription PointsChanged {\n  pointsChanged {\n    balance\n    tier\n    committedAt\n    transaction {\n      id\n      amount\n      reason\n      reference\n    }\n  }\n}"): typeof import('./graphql.ts').PointsChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RemoveCoupon($orderId: ID!, $couponId: ID!) {\n  removeCoupon(orderId: $orderId, couponId: $couponId) {\n    ...OrderSummary\n  }\n}"): typeof import('./graphql.ts').RemoveCouponDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SandboxPay($orderId: ID!) {\n  sandboxPay(orderId: $orderId) {\n    id\n    status\n    amountPaid\n  }\n}"): typeof import('./graphql.ts').SandboxPayDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
