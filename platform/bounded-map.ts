/**
 * Sets `key` in a Map used as a bounded cache: when a new key would take it past `limit`
 * entries, the oldest entry goes first (a Map iterates in insertion order). To keep an
 * entry that is read often, delete and set it again on each read.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  if (!map.has(key) && map.size >= limit) map.delete(map.keys().next().value!);
  map.set(key, value);
}
