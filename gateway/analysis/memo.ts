/**
 * Memos of work that depends on three long-lived objects (a schema, what was read from it,
 * a document or operation) and then on a few values: a Map of results per chain of those
 * objects, each held weakly, so a memo goes when any of its objects goes (a new supergraph,
 * a document dropped from the document cache). The caller bounds each Map's size.
 */
export class WeakMemo<A extends object, B extends object, C extends object, V> {
  private readonly root = new WeakMap<A, WeakMap<B, WeakMap<C, Map<string, V>>>>();

  /** The results kept for this chain of objects (a new, empty Map the first time). */
  resultsOf(a: A, b: B, c: C): Map<string, V> {
    let byB = this.root.get(a);
    if (!byB) this.root.set(a, (byB = new WeakMap()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new WeakMap()));
    let results = byC.get(c);
    if (!results) byC.set(c, (results = new Map()));
    return results;
  }
}
