import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pino, type Logger } from 'pino';
import { settingsFor } from './settings.ts';

export type { Logger };

/** A JSON logger for one Plaza service; `level` comes from PLAZA_LOG_LEVEL (platform/settings.ts). */
export function createLogger(service: string, level: string = settingsFor(['PLAZA_LOG_LEVEL']).PLAZA_LOG_LEVEL): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id of a W3C `traceparent` header, or undefined when absent or malformed. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  return match && !/^0+$/.test(match[1]) ? match[1] : undefined;
}

/**
 * Random bytes for ids, drawn 4 KiB at a time (as crypto.randomUUID keeps its own): every
 * request takes 36 for its request, trace and span ids, and drawing each apart costs more
 * than the id. Ids are not secrets; none is drawn twice.
 */
const pool = Buffer.alloc(4096);
let drawn = pool.length;
function randomText(bytes: number, encoding: 'hex' | 'base64url'): string {
  if (drawn + bytes > pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  const text = pool.toString(encoding, drawn, drawn + bytes);
  drawn += bytes;
  return text;
}

/**
 * The trace context to forward for a request: the caller's trace with a new parent id,
 * or a new sampled trace when the caller sent none.
 */
export function childTraceparent(incoming: string | undefined): string {
  const traceId = traceIdOf(incoming) ?? randomText(16, 'hex');
  const flags = incoming && traceIdOf(incoming) ? incoming.slice(-2) : '01';
  return `00-${traceId}-${randomText(8, 'hex')}-${flags}`;
}

/** The caller's request id when it is short and printable, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomText(12, 'base64url');
}

/** The distinct `extensions.code`s of a GraphQL answer's errors. */
export function errorCodesOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string[] {
  if (!errors?.length) return [];
  const codes = new Set<string>();
  for (const error of errors) codes.add(typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR');
  return [...codes];
}
