/**
 * Apollo Server's cache of parsed and validated documents (its `documentStore` option),
 * bounded by an estimate of the heap its documents hold rather than by Apollo's default
 * (30 MiB counted as JSON text, about a quarter of their real heap).
 */
import type { DocumentNode, Token } from 'graphql';
import { BoundedKeyValueCache, ENTRY_BYTES, stringBytes } from './caches.ts';

/**
 * Heap of one lexical token of a parsed document. graphql-js keeps every token of a document
 * parsed with locations (each node's location links the token list), so a document's heap
 * grows with its tokens: about 300 bytes each, its nodes' share included, measured on
 * Plaza's operations (small and large, aliased, with long strings).
 */
export const BYTES_PER_TOKEN = 350;
/**
 * The same in the gateway, where a cached document also keeps what is built from it once
 * (the executor's operation, compiled result shaping, authorization variants): 1.2 to 1.5
 * times the document itself, measured as above.
 */
export const GATEWAY_BYTES_PER_TOKEN = 500;

/** Approximate heap of a parsed document: its tokens, and its source text. */
export function documentBytes(document: DocumentNode, bytesPerToken = BYTES_PER_TOKEN): number {
  const location = document.loc;
  if (!location) return ENTRY_BYTES + Buffer.byteLength(JSON.stringify(document)) * 5;
  let tokens = 0;
  for (let token: Token | null = location.startToken; token; token = token.next) tokens++;
  return ENTRY_BYTES + tokens * bytesPerToken + stringBytes(location.source.body);
}

/** A documentStore for Apollo Server holding at most `maxBytes` of estimated heap, reported in /metrics as `name`. */
export function boundedDocumentStore(name: string, maxBytes: number, bytesPerToken = BYTES_PER_TOKEN): BoundedKeyValueCache<DocumentNode> {
  return new BoundedKeyValueCache<DocumentNode>(name, { maxBytes }, (key, document) => stringBytes(key) + documentBytes(document, bytesPerToken));
}
