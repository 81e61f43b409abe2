/**
 * Seeded pseudo-random numbers, so that the test double's latency draws repeat exactly from run
 * to run; Math.random() would make two load-test runs of one profile incomparable.
 */
export type Random = () => number;

/** mulberry32: 32-bit state, good enough statistically for sampling latencies and picking documents. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller); one value per call keeps the state simple. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
