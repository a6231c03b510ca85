import crypto from 'node:crypto';
import { ErrorCode, plazaError } from '../../platform/errors.ts';

/**
 * The payment provider's notifications, as Plaza receives them: the provider POSTs the
 * exact JSON text of a notification and its signature, HMAC-SHA256 of that text with
 * the key the provider and Plaza share, hex-encoded. Plaza trusts nothing in a
 * notification until the signature checks out.
 */
export type NotificationType = 'PAYMENT_SUCCEEDED' | 'REFUND_SUCCEEDED';

export interface PaymentNotification {
  /** The provider's id of this notification (delivery retries repeat it). */
  id: string;
  type: NotificationType;
  /** Plaza's order id, which Plaza gave the provider when the payment was requested. */
  orderId: string;
  /** The provider's id of the payment; a refund names the payment it reverses. */
  transactionId: string;
  /** PAYMENT_SUCCEEDED: the amount paid; REFUND_SUCCEEDED: the amount refunded. Integer fen. */
  amount: number;
  /** REFUND_SUCCEEDED only: the provider's id of the refund. */
  refundId?: string;
  /** When it happened at the provider (ISO 8601). */
  occurredAt: string;
}

/** The signature of a notification's exact text: hex HMAC-SHA256 with the provider's key. */
export function signNotification(payload: string, key: string): string {
  return crypto.createHmac('sha256', key).update(payload, 'utf8').digest('hex');
}

function signatureMatches(payload: string, signature: string, key: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return crypto.timingSafeEqual(Buffer.from(signNotification(payload, key), 'hex'), Buffer.from(signature, 'hex'));
}

const MAX_PAYLOAD_BYTES = 4096;
const REFERENCE = /^[\x21-\x7e]{1,128}$/;

/**
 * A genuine notification, parsed and checked; anything else is refused before a row is
 * read: a wrong signature with PAYMENT_SIGNATURE_INVALID, a well-signed but malformed
 * text with PAYMENT_NOTIFICATION_INVALID.
 */
export function verifyNotification(payload: string, signature: string, key: string): PaymentNotification {
  if (payload.length > MAX_PAYLOAD_BYTES || !signatureMatches(payload, signature, key)) {
    throw plazaError(ErrorCode.PAYMENT_SIGNATURE_INVALID, 'The notification signature does not verify');
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw invalid('the payload is not JSON');
  }
  if (!parsed || typeof parsed !== 'object') throw invalid('the payload is not an object');
  const { id, type, orderId, transactionId, amount, refundId, occurredAt } = parsed;
  for (const [name, value] of Object.entries({ id, orderId, transactionId })) {
    if (typeof value !== 'string' || !REFERENCE.test(value)) throw invalid(`${name} must be 1-128 printable characters`);
  }
  if (type !== 'PAYMENT_SUCCEEDED' && type !== 'REFUND_SUCCEEDED') throw invalid('type must be PAYMENT_SUCCEEDED or REFUND_SUCCEEDED');
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) throw invalid('amount must be a positive integer number of fen');
  if (type === 'REFUND_SUCCEEDED' && (typeof refundId !== 'string' || !REFERENCE.test(refundId))) throw invalid('a refund needs its refundId');
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) throw invalid('occurredAt must be an ISO 8601 time');
  return {
    id: id as string,
    type,
    orderId: orderId as string,
    transactionId: transactionId as string,
    amount,
    ...(type === 'REFUND_SUCCEEDED' ? { refundId: refundId as string } : {}),
    occurredAt,
  };
}

function invalid(why: string) {
  return plazaError(ErrorCode.PAYMENT_NOTIFICATION_INVALID, `The notification is malformed: ${why}`);
}
