/**
 * Gives in-flight batch work `graceMs` to settle, then aborts what is still running and waits
 * for it to wind down. Aborted work writes and commits nothing, so Kafka redelivers it; both
 * consumer adapters stop this way.
 */
export async function drainInFlight(active: Iterable<Promise<unknown>>, graceMs: number, abort: AbortController): Promise<void> {
  const inFlight = Promise.allSettled([...active]);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([inFlight, graceOver]);
  clearTimeout(timer);
  abort.abort();
  await inFlight;
}
