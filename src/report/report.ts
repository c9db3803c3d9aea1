/**
 * report.json: what a run did and how well (DESIGN.md "command-line contract"), and the
 * plots written with `--plots DIR`.
 *
 * The report is plain JSON: any number that is not finite (NaN, ±Infinity, e.g. the PSNR of
 * a perfect estimate or an undefined per-iteration time) is written as `null`, typed arrays
 * become arrays, dates become ISO strings. Consumers must accept `null` in numeric fields.
 */
import { readFileSync } from 'node:fs';
import { summarize, type Metrics } from './metrics.ts';
import { costPlotSvg } from './svg.ts';
import { lineChartSvg } from './chart.ts';
import { mosaicPng, type MosaicOptions, type MosaicRow } from './mosaic.ts';
import type { ConvergenceTest, PartitionResult } from '../common/types.ts';

export type { ConvergenceTest, PartitionResult };

export interface Timing {
  total_s: number;
  setup_s: number;
  iterate_s: number;
  per_iteration_s: number;
}

export interface RunReport {
  objects: number;
  /** [N, ny, nx] */
  shape: [number, number, number];
  sigma: number;
  iterations: number;
  converged: boolean;
  /** One value per evaluated iteration. */
  cost: number[];
  /** The iteration number of each cost value. */
  cost_iterations: number[];
  /** Seconds since the start of the iteration loop at each cost value. */
  cost_time_s: number[];
  /** Iterations after which a reweight was applied. */
  reweight_iterations: number[];
  tests: ConvergenceTest[];
  timing: Timing;
  partitions: number;
  agents: number;
  /**
   * `lockstep` (one stopping rule on the stack's cost) or `stream` (each partition stops on
   * its own cost; `iterations` is then the longest partition's, `converged` whether all did).
   */
  schedule: string;
  /** Stream schedule: each partition's iterations, convergence and final cost. */
  partition_results?: PartitionResult[];
  options: Record<string, unknown>;
  /** Which prior ran (ALGORITHM §10); for the low-rank ones λ, β = ‖H‖² and the rank kept at each iteration. */
  prior: PriorInfo;
  /** Estimate vs truth (with `--truth`). */
  metrics?: Metrics;
  /** The observations vs truth: what "no deconvolution" scores. */
  baseline_metrics?: Metrics;
  software: { name: string; version: string };
  inputs: Record<string, string>;
  output: string;
  created: string;
}

export interface PriorInfo {
  name: string;
  lambda?: number;
  beta?: number;
  ranks?: number[];
}

export interface ReportParts {
  shape: [number, number, number];
  sigma: number;
  iterations: number;
  converged: boolean;
  cost: ArrayLike<number>;
  /** Default: 1..cost.length. */
  cost_iterations?: ArrayLike<number>;
  /** Default: none (empty). Must match `cost` in length when given. */
  cost_time_s?: ArrayLike<number>;
  reweight_iterations?: ArrayLike<number>;
  tests?: ConvergenceTest[];
  /** `per_iteration_s` defaults to `iterate_s / iterations`. */
  timing: { total_s: number; setup_s: number; iterate_s: number; per_iteration_s?: number };
  partitions: number;
  /** Default `lockstep`. */
  schedule?: string;
  partition_results?: PartitionResult[];
  agents: number;
  options?: Record<string, unknown>;
  /** Default: { name: options.prior ?? 'sparse' }. */
  prior?: PriorInfo;
  /** Precomputed metrics; otherwise computed from `truth` and `estimate`. */
  metrics?: Metrics;
  baseline_metrics?: Metrics;
  /** Clean truth stack (N × ny × nx): enables `metrics` (with `estimate`) and `baseline_metrics` (with `observed`). */
  truth?: ArrayLike<number>;
  estimate?: ArrayLike<number>;
  observed?: ArrayLike<number>;
  software?: { name: string; version: string };
  inputs?: Record<string, string>;
  output?: string;
  /** Default: now. */
  created?: Date | string;
}

let softwareCache: { name: string; version: string } | undefined;

/** Name and version from the package's package.json (fallback: galdecon / 0.0.0). */
export function softwareInfo(): { name: string; version: string } {
  if (!softwareCache) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      softwareCache = {
        name: typeof pkg.name === 'string' ? pkg.name : 'galdecon',
        version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
      };
    } catch {
      softwareCache = { name: 'galdecon', version: '0.0.0' };
    }
  }
  return { ...softwareCache };
}

/**
 * Deep copy into plain JSON values: non-finite numbers → null, typed arrays → arrays,
 * Date → ISO string, bigint → string, undefined/functions/symbols dropped from objects
 * (null in arrays).
 */
export function toJsonSafe(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v instanceof Date) return v.toISOString();
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => toJsonSafe(x) ?? null);
  }
  if (Array.isArray(v)) return v.map((x) => toJsonSafe(x) ?? null);
  if (v instanceof Map) return toJsonSafe(Object.fromEntries(v));
  if (v instanceof Set) return toJsonSafe([...v]);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const s = toJsonSafe(x);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** Assemble a JSON-safe run report (see the module comment for the null policy). */
export function buildReport(p: ReportParts): RunReport {
  const [n, ny, nx] = p.shape;
  for (const v of p.shape) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`buildReport: bad shape [${p.shape.join(', ')}]`);
  }
  const cost = Array.from(p.cost);
  const costIts = p.cost_iterations ? Array.from(p.cost_iterations) : cost.map((_, i) => i + 1);
  if (costIts.length !== cost.length) {
    throw new RangeError(`buildReport: ${costIts.length} cost_iterations for ${cost.length} costs`);
  }
  const costTime = p.cost_time_s ? Array.from(p.cost_time_s) : [];
  if (costTime.length !== 0 && costTime.length !== cost.length) {
    throw new RangeError(`buildReport: ${costTime.length} cost_time_s for ${cost.length} costs`);
  }
  let metrics = p.metrics;
  let baseline = p.baseline_metrics;
  if (p.truth) {
    if (!metrics && p.estimate) metrics = summarize(p.truth, p.estimate, n, ny, nx);
    if (!baseline && p.observed) baseline = summarize(p.truth, p.observed, n, ny, nx);
  }
  const t = p.timing;
  const report: RunReport = {
    objects: n,
    shape: [n, ny, nx],
    sigma: p.sigma,
    iterations: p.iterations,
    converged: p.converged,
    cost,
    cost_iterations: costIts,
    cost_time_s: costTime,
    reweight_iterations: p.reweight_iterations ? Array.from(p.reweight_iterations) : [],
    tests: (p.tests ?? []).map((x) => ({ iteration: x.iteration, diff: x.diff, converged: x.converged })),
    timing: {
      total_s: t.total_s,
      setup_s: t.setup_s,
      iterate_s: t.iterate_s,
      per_iteration_s: t.per_iteration_s ?? (p.iterations > 0 ? t.iterate_s / p.iterations : NaN),
    },
    partitions: p.partitions,
    agents: p.agents,
    schedule: p.schedule ?? 'lockstep',
    ...(p.partition_results ? { partition_results: p.partition_results } : {}),
    options: p.options ?? {},
    prior: p.prior ?? { name: typeof p.options?.prior === 'string' ? p.options.prior : 'sparse' },
    ...(metrics ? { metrics } : {}),
    ...(baseline ? { baseline_metrics: baseline } : {}),
    software: p.software ?? softwareInfo(),
    inputs: p.inputs ?? {},
    output: p.output ?? '',
    created: p.created instanceof Date ? p.created.toISOString() : p.created ?? new Date().toISOString(),
  };
  return toJsonSafe(report) as RunReport;
}

/** The report as pretty-printed JSON text (with a final newline). */
export function reportJson(r: RunReport): string {
  return JSON.stringify(toJsonSafe(r), null, 2) + '\n';
}

export interface PlotInputs {
  report: Pick<RunReport, 'cost' | 'cost_iterations' | 'cost_time_s' | 'reweight_iterations'> & Partial<Pick<RunReport, 'prior'>>;
  title?: string;
  /** The mosaic's objects and their stamps (ny × nx); none: no mosaic.png. */
  mosaic?: { rows: MosaicRow[]; ny: number; nx: number; options?: MosaicOptions };
}

/**
 * The plots of a run, as files to write into the plots directory: `cost.svg` always,
 * `rank.svg` for the low-rank priors, and `mosaic.png` when rows are given. The caller writes them (atomically, with the run's
 * other files).
 */
export function plotFiles(p: PlotInputs): { name: string; bytes: Uint8Array }[] {
  const files: { name: string; bytes: Uint8Array }[] = [
    { name: 'cost.svg', bytes: new TextEncoder().encode(costPlotSvg(p.report, { title: p.title ?? 'galdecon cost' })) },
  ];
  const prior = p.report.prior;
  if (prior?.ranks && prior.ranks.length > 0) {
    const svg = lineChartSvg([{ name: 'kept rank', x: prior.ranks.map((_, i) => i + 1), y: prior.ranks }], {
      title: `rank kept by the SVT, ${prior.name} prior`,
      subtitle: prior.lambda !== undefined ? `λ = ${prior.lambda.toExponential(4)}` : undefined,
      xLabel: 'iteration', yLabel: 'rank of the low-rank dual',
    });
    files.push({ name: 'rank.svg', bytes: new TextEncoder().encode(svg) });
  }
  if (p.mosaic && p.mosaic.rows.length > 0) {
    files.push({ name: 'mosaic.png', bytes: mosaicPng(p.mosaic.rows, p.mosaic.ny, p.mosaic.nx, p.mosaic.options) });
  }
  return files;
}

/** The names `plotFiles` writes (checked before a run starts). */
export const PLOT_NAMES = ['cost.svg', 'rank.svg', 'mosaic.png'] as const;
