/**
 * @module Small statistics for benchmarks: medians, percentiles and side-by-side
 * tables. Benchmarks print figures; they never pass or fail.
 */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export interface Row {
  readonly name: string;
  readonly unit: string;
  readonly ours: readonly number[];
  readonly theirs: readonly number[];
}

/** One line per measure: median and p95 for each side, and ours/theirs of the medians. */
export function table(title: string, rows: readonly Row[]): string {
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  const head = `${'measure'.padEnd(28)} ${'keepalived-ts med/p95'.padStart(24)} ${'keepalived med/p95'.padStart(22)} ${'ratio'.padStart(7)}`;
  const lines = rows.map((r) => {
    const ours = `${fmt(median(r.ours))}/${fmt(percentile(r.ours, 95))} ${r.unit}`;
    const theirs = `${fmt(median(r.theirs))}/${fmt(percentile(r.theirs, 95))} ${r.unit}`;
    const ratio = median(r.ours) / median(r.theirs);
    return `${r.name.padEnd(28)} ${ours.padStart(24)} ${theirs.padStart(22)} ${ratio.toFixed(2).padStart(7)}`;
  });
  return [`== ${title}`, head, ...lines].join('\n');
}
