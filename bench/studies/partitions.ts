// `--partitions`: time per iteration against the number of partitions N — the paper's
// Figure 2 (N ∈ {1, 32, 48, 64, 80, 128} on 10,000 galaxies).

import { lineChartSvg } from '../../src/report/chart.ts';
import { iterationStats, runWith, simulated, writeJson, writeText, type IterationStats, type ModeFactory } from '../common.ts';

export interface PartitionsResult {
  study: 'partitions';
  objects: number;
  iterations: number;
  rows: ({ mode: string; agents: number; partitions: number } & IterationStats)[];
}

export async function partitionsStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void }): Promise<PartitionsResult> {
  const objects = ctx.quick ? 800 : 10_000;
  const iterations = ctx.quick ? 8 : 24;
  const counts = ctx.quick ? [1, 8, 32] : [1, 2, 32, 48, 64, 80, 128];
  const { y, psf } = simulated(objects);
  const rows: PartitionsResult['rows'] = [];
  for (const mode of ctx.modes) {
    for (const n of counts) {
      ctx.log(`partitions: ${mode.mode} ${mode.agents} agents, N = ${n}`);
      const r = await runWith(mode, y, psf, { nIter: iterations, nReweights: 0, tolerance: 0 }, n);
      rows.push({ mode: mode.mode, agents: mode.agents, partitions: n, ...iterationStats(r) });
    }
  }
  const result: PartitionsResult = { study: 'partitions', objects, iterations, rows };
  writeJson('partitions.json', result);
  const series = ctx.modes.map((m) => {
    const rs = rows.filter((r) => r.mode === m.mode);
    return { name: `${m.mode}, ${m.agents} agents`, x: rs.map((r) => r.partitions), y: rs.map((r) => r.mean_s), lo: rs.map((r) => r.min_s), hi: rs.map((r) => r.max_s) };
  });
  writeText('partitions.svg', lineChartSvg(series, {
    title: 'Time per iteration vs partitions', subtitle: `${objects} objects of 41×41; mean with min–max`,
    xLabel: 'partitions N', yLabel: 'seconds per iteration',
  }));
  return result;
}
