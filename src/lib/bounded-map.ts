/**
 * Sets `key` to `value` as the newest entry of `map`, first dropping the oldest entry if
 * the map already holds `limit` others. Maps iterate in insertion order, so this bounds a
 * cache keyed by what requests bring, and keeps the recently set entries.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  if (map.size >= limit) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
