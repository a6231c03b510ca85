/**
 * Header rules: which request headers of a client reach the subgraphs, under which name,
 * and which fixed headers the gateway adds, for every subgraph and per subgraph. Read once
 * at start-up (`PLAZA_HEADER_RULES`), refused there when a rule names a header Plaza keeps
 * to itself: its internal trust headers can never come from a client.
 */
import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../platform/config.ts';
import { INTERNAL_TOKEN_HEADER } from '../platform/internal-token.ts';

/** One rule, applied in order: copy a client header (under its name or `as`), set a fixed one, or remove one an earlier rule set. */
export type HeaderRule = { propagate: string; as?: string; default?: string } | { insert: string; value: string } | { remove: string };

export interface HeaderRules {
  /** Rules for every subgraph, applied first. */
  all: HeaderRule[];
  /** Rules per subgraph name, applied after `all`. */
  subgraphs: Record<string, HeaderRule[]>;
  /** Subgraph answer headers passed back to the client: from any subgraph (`all`) or from one. Default none. */
  response?: { all: string[]; subgraphs: Record<string, string[]> };
}

export const NO_HEADER_RULES: HeaderRules = Object.freeze({ all: [], subgraphs: {} });

/** Answer headers the gateway decides itself (caching, cookies, CORS, the exchange): never passed back from a subgraph. */
const GATEWAY_ANSWER_HEADERS = new Set(['set-cookie', 'cache-control', 'vary', 'etag', 'age', 'expires', 'www-authenticate', 'retry-after']);

function answerHeaderName(variable: string, where: string, raw: unknown): string {
  const name = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!HEADER_NAME.test(name)) throw new ConfigError(`${variable} ${where}`, 'a header name', String(raw));
  if (isReservedHeader(name) || GATEWAY_ANSWER_HEADERS.has(name) || name.startsWith('access-control-') || name.startsWith('ratelimit')) {
    throw new ConfigError(`${variable} ${where}`, `a header the gateway does not set itself (not ${name})`, name);
  }
  return name;
}

/**
 * Headers no rule may name: Plaza's trust headers (the gateway token and every `x-plaza-`
 * header, the request id and trace context the gateway sets), the client's credentials,
 * which stay at the gateway, and headers of the HTTP exchange itself.
 */
const RESERVED = new Set([
  INTERNAL_TOKEN_HEADER,
  'x-request-id',
  'traceparent',
  'tracestate',
  'authorization',
  'cookie',
  'x-api-key',
  'content-type',
  'content-length',
  'content-encoding',
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-authorization',
]);

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isReservedHeader(name: string): boolean {
  return RESERVED.has(name) || name.startsWith('x-plaza-');
}

function headerName(variable: string, where: string, raw: unknown): string {
  const name = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!HEADER_NAME.test(name)) throw new ConfigError(`${variable} ${where}`, 'a header name', String(raw));
  if (isReservedHeader(name)) throw new ConfigError(`${variable} ${where}`, `a header Plaza does not keep to itself (not ${name}: trust headers, credentials and x-plaza-* never come from a rule)`, name);
  return name;
}

function readRule(variable: string, where: string, raw: unknown): HeaderRule {
  const r = (raw ?? {}) as Record<string, unknown>;
  const value = (key: string): string => {
    if (typeof r[key] !== 'string' || !HEADER_VALUE.test(r[key] as string)) throw new ConfigError(`${variable} ${where} ${key}`, 'a header value', String(r[key]));
    return r[key] as string;
  };
  const keys = Object.keys(r).sort().join(',');
  if ('propagate' in r && ['propagate', 'as,propagate', 'default,propagate', 'as,default,propagate'].includes(keys)) {
    return {
      propagate: headerName(variable, where, r.propagate),
      ...(r.as !== undefined ? { as: headerName(variable, `${where} as`, r.as) } : {}),
      ...(r.default !== undefined ? { default: value('default') } : {}),
    };
  }
  if (keys === 'insert,value') return { insert: headerName(variable, where, r.insert), value: value('value') };
  if (keys === 'remove') return { remove: headerName(variable, where, r.remove) };
  throw new ConfigError(`${variable} ${where}`, '{"propagate","as"?,"default"?}, {"insert","value"} or {"remove"}', JSON.stringify(raw));
}

/** Header rules from JSON: `{"all":[…],"subgraphs":{"<name>":[…]}}`; `subgraphNames` are the supergraph's. */
export function parseHeaderRules(variable: string, text: string, subgraphNames?: readonly string[]): HeaderRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(variable, 'JSON: {"all":[rules],"subgraphs":{"<name>":[rules]}}', text.slice(0, 80));
  }
  const r = (raw ?? {}) as { all?: unknown; subgraphs?: unknown };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(r).some((k) => k !== 'all' && k !== 'subgraphs' && k !== 'response')) {
    throw new ConfigError(variable, 'JSON: {"all":[rules],"subgraphs":{"<name>":[rules]},"response":{"all":[names],"subgraphs":{"<name>":[names]}}}', text.slice(0, 80));
  }
  const known = (where: string, name: string) => {
    if (subgraphNames && !subgraphNames.includes(name)) throw new ConfigError(`${variable} ${where}`, `subgraph names of the supergraph (${subgraphNames.join(', ')})`, name);
  };
  const names = (where: string, value: unknown): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new ConfigError(`${variable} ${where}`, 'a list of header names', JSON.stringify(value));
    return value.map((n, i) => answerHeaderName(variable, `${where}[${i}]`, n));
  };
  const response = (r as { response?: { all?: unknown; subgraphs?: Record<string, unknown> } }).response;
  const list = (where: string, value: unknown): HeaderRule[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new ConfigError(`${variable} ${where}`, 'a list of rules', JSON.stringify(value));
    return value.map((rule, i) => readRule(variable, `${where}[${i}]`, rule));
  };
  const subgraphs: Record<string, HeaderRule[]> = {};
  for (const [name, rules] of Object.entries((r.subgraphs ?? {}) as Record<string, unknown>)) {
    known('subgraphs', name);
    subgraphs[name] = list(`subgraphs.${name}`, rules);
  }
  if (response === undefined) return { all: list('all', r.all), subgraphs };
  const responseSubgraphs: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(response.subgraphs ?? {})) {
    known('response.subgraphs', name);
    responseSubgraphs[name] = names(`response.subgraphs.${name}`, list);
  }
  return { all: list('all', r.all), subgraphs, response: { all: names('response.all', response.all), subgraphs: responseSubgraphs } };
}

/** Every client header the rules read (the gateway keeps only these of a request). */
export function propagatedHeaders(rules: HeaderRules): string[] {
  return [...new Set([...rules.all, ...Object.values(rules.subgraphs).flat()].flatMap((r) => ('propagate' in r ? [r.propagate] : [])))];
}

/** The client's headers the rules read, from a request (first value of a repeated one). */
export function pickHeaders(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && HEADER_VALUE.test(first)) picked[name] = first;
  }
  return picked;
}

/** The headers one subgraph gets from the rules, given the client's. */
export function subgraphHeaders(rules: HeaderRules, subgraph: string, client: Record<string, string>): [string, string][] {
  const out = new Map<string, string>();
  for (const rule of [...rules.all, ...(rules.subgraphs[subgraph] ?? [])]) {
    if ('propagate' in rule) {
      const value = client[rule.propagate] ?? rule.default;
      if (value !== undefined) out.set(rule.as ?? rule.propagate, value);
    } else if ('insert' in rule) out.set(rule.insert, rule.value);
    else out.delete(rule.remove);
  }
  return [...out];
}

/** The answer headers of one subgraph the rules pass back to the client. */
export function passedBack(rules: HeaderRules, subgraph: string): string[] {
  return [...(rules.response?.all ?? []), ...(rules.response?.subgraphs[subgraph] ?? [])];
}
