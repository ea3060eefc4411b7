/** Order statistics of repeated measurements; every figure in the report is one of these. */
export interface Summary {
  n: number;
  median: number;
  p25: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** The p-th percentile (0–100) of sorted values, interpolating linearly between neighbours. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? Number.NaN;
  return lowValue + (highValue - lowValue) * (rank - low);
}

const round = (value: number, digits = 3) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** Summary of the samples; with no samples every figure is 0 and `n` says so. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, median: 0, p25: 0, p75: 0, p99: 0, min: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    median: round(percentile(sorted, 50)),
    p25: round(percentile(sorted, 25)),
    p75: round(percentile(sorted, 75)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0] ?? 0),
    max: round(sorted.at(-1) ?? 0),
    mean: round(sum / sorted.length),
  };
}

/** Ratio of two medians, rounded for the report. */
export const ratio = (value: number, reference: number) => round(value / reference, 3);

/** Fisher–Yates, so repeated rounds visit the variants in a fresh order (spreads machine noise). */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) continue;
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}
