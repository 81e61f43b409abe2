import { z } from "zod";
import { normal, type Random } from "./random.ts";

/**
 * A service-time distribution for FakeInferenceSidecar, written as a short spec string so that
 * it fits in an environment variable or a CLI flag:
 *   none                      answer at once
 *   fixed:5                   always 5 ms
 *   uniform:2-8               uniform between 2 and 8 ms
 *   lognormal:p50=4,p99=20    log-normal with that median and 99th percentile (the usual shape of
 *                             inference latency: a tight body and a long right tail)
 */
export interface LatencyDistribution {
  readonly spec: string;
  /** One draw, in milliseconds (never negative). */
  sample(random: Random): number;
}

/** z-score of the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

const LATENCY_FORMS = "expected none, fixed:MS, uniform:LO-HI or lognormal:p50=MS,p99=MS";

export function parseLatency(spec: string): LatencyDistribution {
  const s = spec.trim().toLowerCase();
  if (s === "none" || s === "0" || s === "fixed:0") return { spec: "none", sample: () => 0 };

  const fixed = /^fixed:(\d+(?:\.\d+)?)$/.exec(s);
  if (fixed) {
    const ms = Number(fixed[1]);
    return { spec: s, sample: () => ms };
  }

  const uniform = /^uniform:(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(s);
  if (uniform) {
    const lo = Number(uniform[1]);
    const hi = Number(uniform[2]);
    if (hi < lo) throw new Error(`latency "${spec}": upper bound below lower bound`);
    return { spec: s, sample: (random) => lo + (hi - lo) * random() };
  }

  const lognormal = /^lognormal:p50=(\d+(?:\.\d+)?),p99=(\d+(?:\.\d+)?)$/.exec(s);
  if (lognormal) {
    const p50 = Number(lognormal[1]);
    const p99 = Number(lognormal[2]);
    if (p50 <= 0 || p99 < p50) throw new Error(`latency "${spec}": need 0 < p50 <= p99`);
    const mu = Math.log(p50);
    const sigma = Math.log(p99 / p50) / Z99;
    return { spec: s, sample: (random) => Math.exp(mu + sigma * normal(random)) };
  }

  throw new Error(`latency "${spec}": ${LATENCY_FORMS}`);
}

/** A latency spec in configuration (a flag, an environment variable), refused at start-up with the accepted forms. */
export const latencySpecSchema = z.string().refine((spec) => {
  try {
    parseLatency(spec);
    return true;
  } catch {
    return false;
  }
}, LATENCY_FORMS);
