import { GraphQLError } from 'graphql';

/**
 * Every error code Plaza returns, in one place. Clients branch on these strings,
 * so they never change meaning once published.
 */
export const ErrorCode = {
  // identity and trust
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  GATEWAY_TOKEN_REQUIRED: 'GATEWAY_TOKEN_REQUIRED',
  // input
  BAD_REQUEST: 'BAD_REQUEST',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  // gateway limits and quotas (refused before execution)
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_ROOT_FIELDS: 'TOO_MANY_ROOT_FIELDS',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  TOO_MANY_SELECTIONS: 'TOO_MANY_SELECTIONS',
  TOO_MANY_REPEATED_FIELDS: 'TOO_MANY_REPEATED_FIELDS',
  COST_ESTIMATED_TOO_EXPENSIVE: 'COST_ESTIMATED_TOO_EXPENSIVE',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  // subscriptions (WebSocket and SSE)
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  // coupons and points
  COUPON_OUT_OF_STOCK: 'COUPON_OUT_OF_STOCK',
  COUPON_LIMIT_REACHED: 'COUPON_LIMIT_REACHED',
  COUPON_NOT_ACTIVE: 'COUPON_NOT_ACTIVE',
  COUPON_EXPIRED: 'COUPON_EXPIRED',
  COUPON_NOT_FOUND: 'COUPON_NOT_FOUND',
  OFFER_NOT_FOUND: 'OFFER_NOT_FOUND',
  COUPON_ALREADY_REDEEMED: 'COUPON_ALREADY_REDEEMED',
  COUPON_WRONG_MERCHANT: 'COUPON_WRONG_MERCHANT',
  COUPON_MIN_SPEND_NOT_MET: 'COUPON_MIN_SPEND_NOT_MET',
  MEMBERSHIP_REQUIRED: 'MEMBERSHIP_REQUIRED',
  INSUFFICIENT_POINTS: 'INSUFFICIENT_POINTS',
  RIGHT_OUT_OF_STOCK: 'RIGHT_OUT_OF_STOCK',
  RIGHT_NOT_FOUND: 'RIGHT_NOT_FOUND',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  // orders and payments
  MERCHANT_NOT_FOUND: 'MERCHANT_NOT_FOUND',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  ORDER_NOT_OPEN: 'ORDER_NOT_OPEN',
  ORDER_NOT_PAYABLE: 'ORDER_NOT_PAYABLE',
  ORDER_ALREADY_PAID: 'ORDER_ALREADY_PAID',
  ORDER_NOT_PAID: 'ORDER_NOT_PAID',
  COUPON_IN_USE: 'COUPON_IN_USE',
  COUPON_NOT_STACKABLE: 'COUPON_NOT_STACKABLE',
  PAYMENT_SIGNATURE_INVALID: 'PAYMENT_SIGNATURE_INVALID',
  PAYMENT_NOTIFICATION_INVALID: 'PAYMENT_NOTIFICATION_INVALID',
  PAYMENT_AMOUNT_MISMATCH: 'PAYMENT_AMOUNT_MISMATCH',
  SANDBOX_DISABLED: 'SANDBOX_DISABLED',
  // placements
  SERVICE_NOT_FOUND: 'SERVICE_NOT_FOUND',
  // persisted queries and partner access (Apollo's codes)
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  QUERY_NOT_IN_SAFELIST: 'QUERY_NOT_IN_SAFELIST',
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
  // gateway
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A domain error: a GraphQL error whose `extensions.code` clients can rely on.
 * Field-level errors keep HTTP 200 (the rest of the answer is still good);
 * request-level refusals pass `httpStatus`.
 */
export function plazaError(
  code: ErrorCode,
  message: string,
  options: { httpStatus?: number; extensions?: Record<string, unknown> } = {},
): GraphQLError {
  const http = options.httpStatus ? { http: { status: options.httpStatus } } : {};
  return new GraphQLError(message, { extensions: { code, ...options.extensions, ...http } });
}

/** Whether `error` is a domain error with one of these codes. */
export function isRefusal(error: unknown, ...codes: ErrorCode[]): error is GraphQLError {
  return error instanceof GraphQLError && (codes as unknown[]).includes(error.extensions.code);
}

/** Refuses an argument: BAD_USER_INPUT naming the argument in `extensions.argumentName`. */
export function badUserInput(argumentName: string, message: string): never {
  throw plazaError(ErrorCode.BAD_USER_INPUT, message, { extensions: { argumentName } });
}
