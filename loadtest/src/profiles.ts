/**
 * Traffic profiles: the offered rate (documents/s) as a function of time since the start of a run.
 * 16M documents/day is 185.2/s on average; the profiles are expressed around that figure so that
 * the results read directly as "multiples of production".
 */

export const DAILY_DOCUMENTS = 16_000_000;
export const AVERAGE_RATE = DAILY_DOCUMENTS / 86_400;

export interface Phase {
  /** Short label for reports, e.g. "step 3: 750/s" or "burst". */
  label: string;
  fromS: number;
  toS: number;
  /** Offered rate during the phase, when it is constant. */
  rate?: number;
}

export interface Profile {
  name: string;
  description: string;
  durationS: number;
  /** Offered documents per second at time t (seconds since the start). */
  rate(tS: number): number;
  /** Windows that the report analyses one by one (ramp steps, burst and recovery). */
  phases: Phase[];
  /** Ramp only: the run may stop early once the system is saturated. */
  stopOnSaturation: boolean;
}

export interface ProfileOptions {
  /** Base rate in documents/s (steady level, daily average, burst baseline, ramp step). */
  rate?: number;
  /** Total duration in seconds; each profile scales its phases to it. */
  durationS?: number;
  /** Ramp: the highest rate to try. */
  maxRate?: number;
  /** Ramp: seconds per step. */
  stepS?: number;
  /** Burst: multiple of the base rate during the burst. */
  burstFactor?: number;
  /** Burst: seconds the burst lasts. */
  burstS?: number;
}

export const PROFILE_NAMES = ["steady", "daily", "burst", "ramp"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function buildProfile(name: ProfileName, options: ProfileOptions = {}): Profile {
  switch (name) {
    case "steady":
      return steady(options);
    case "daily":
      return daily(options);
    case "burst":
      return burst(options);
    case "ramp":
      return ramp(options);
  }
}

function steady(o: ProfileOptions): Profile {
  const rate = o.rate ?? AVERAGE_RATE;
  const durationS = o.durationS ?? 120;
  return {
    name: "steady",
    description: `constant ${fmt(rate)} documents/s for ${durationS} s`,
    durationS,
    rate: () => rate,
    // The first seconds include consumer start-up and JIT warm-up; they are reported but kept apart.
    phases: [
      { label: "warm-up", fromS: 0, toS: Math.min(10, durationS / 4), rate },
      { label: "steady", fromS: Math.min(10, durationS / 4), toS: durationS, rate },
    ],
    stopOnSaturation: false,
  };
}

/**
 * Relative load over a day (hour 0–24), mean 1: a night trough, a morning peak when banks'
 * statement batches and call-centre shifts start, and a smaller afternoon peak. The shape is a
 * planning assumption, not a measurement; peak/average is about 2.3.
 */
export function dailyShape(hour: number): number {
  const bump = (centre: number, width: number) => Math.exp(-0.5 * ((hour - centre) / width) ** 2);
  return (0.25 + 1.9 * bump(10.5, 2.2) + 1.3 * bump(15.5, 2.0)) / DAILY_SHAPE_MEAN;
}

const DAILY_SHAPE_MEAN = (() => {
  const bump = (h: number, c: number, w: number) => Math.exp(-0.5 * ((h - c) / w) ** 2);
  let sum = 0;
  const n = 24 * 60;
  for (let i = 0; i < n; i++) {
    const h = (i + 0.5) / 60;
    sum += 0.25 + 1.9 * bump(h, 10.5, 2.2) + 1.3 * bump(h, 15.5, 2.0);
  }
  return sum / n;
})();

function daily(o: ProfileOptions): Profile {
  const average = o.rate ?? AVERAGE_RATE;
  const durationS = o.durationS ?? 240;
  const hourAt = (tS: number) => (24 * tS) / durationS;
  const phases: Phase[] = [];
  for (let h = 0; h < 24; h += 3) {
    phases.push({
      label: `${String(h).padStart(2, "0")}:00–${String(h + 3).padStart(2, "0")}:00`,
      fromS: (h * durationS) / 24,
      toS: ((h + 3) * durationS) / 24,
    });
  }
  return {
    name: "daily",
    description: `a 24-hour curve (average ${fmt(average)}/s, peak ${fmt(average * peakOfDailyShape())}/s) compressed into ${durationS} s`,
    durationS,
    rate: (tS) => average * dailyShape(hourAt(tS)),
    phases,
    stopOnSaturation: false,
  };
}

export function peakOfDailyShape(): number {
  let peak = 0;
  for (let i = 0; i < 24 * 60; i++) peak = Math.max(peak, dailyShape(i / 60));
  return peak;
}

function burst(o: ProfileOptions): Profile {
  const base = o.rate ?? AVERAGE_RATE;
  const factor = o.burstFactor ?? 10;
  const burstS = o.burstS ?? 60;
  const durationS = o.durationS ?? 180;
  const before = Math.max(10, Math.round((durationS - burstS) / 3));
  const after = durationS - before - burstS;
  if (after < 0) throw new Error(`burst: duration ${durationS} s is shorter than the burst`);
  return {
    name: "burst",
    description: `${fmt(base)}/s, then ${factor}× (${fmt(base * factor)}/s) for ${burstS} s, then ${fmt(base)}/s again`,
    durationS,
    rate: (tS) => (tS >= before && tS < before + burstS ? base * factor : base),
    phases: [
      { label: "before", fromS: 0, toS: before, rate: base },
      { label: "burst", fromS: before, toS: before + burstS, rate: base * factor },
      { label: "recovery", fromS: before + burstS, toS: durationS, rate: base },
    ],
    stopOnSaturation: false,
  };
}

/** A staircase rather than a smooth ramp: each step is long enough to read a stable throughput and p99. */
function ramp(o: ProfileOptions): Profile {
  const step = o.rate ?? 250;
  const maxRate = o.maxRate ?? 6000;
  const stepS = o.stepS ?? 20;
  const steps = Math.max(1, Math.ceil(maxRate / step));
  const durationS = o.durationS ?? steps * stepS;
  const phases: Phase[] = [];
  for (let i = 0; i < steps && i * stepS < durationS; i++) {
    const rate = Math.min(maxRate, step * (i + 1));
    phases.push({ label: `${fmt(rate)}/s`, fromS: i * stepS, toS: Math.min(durationS, (i + 1) * stepS), rate });
  }
  return {
    name: "ramp",
    description: `staircase from ${fmt(step)}/s up by ${fmt(step)}/s every ${stepS} s to ${fmt(maxRate)}/s, stopping once saturated`,
    durationS,
    rate: (tS) => Math.min(maxRate, step * (Math.floor(tS / stepS) + 1)),
    phases,
    stopOnSaturation: true,
  };
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}
