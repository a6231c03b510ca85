/**
 * Streams of events (a subscription's), mapped one at a time. An async generator would
 * do the mapping, but its `return()` waits until the source's next event arrives (for a
 * quiet subscription, maybe never) before its `finally` runs; these end the source at once.
 */

/**
 * `source` with each event mapped by `map`; `return()` ends the source at once and runs
 * `onEnd` (also run when the source ends). A `map` that throws ends the source, and the
 * error reaches the reader.
 */
export function mapEvents<T, U>(source: AsyncIterator<T>, map: (event: T) => U | Promise<U>, onEnd: () => void = () => {}): AsyncIterableIterator<U> {
  let ended = false;
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  const end = async (): Promise<IteratorResult<U>> => {
    if (!ended) {
      ended = true;
      onEnd();
    }
    await source.return?.();
    return done;
  };
  return {
    async next() {
      if (ended) return done;
      const next = await source.next();
      if (next.done || ended) return end();
      try {
        return { value: await map(next.value), done: false };
      } catch (error) {
        await end();
        throw error;
      }
    },
    return: end,
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
