// `--scaling`: time per iteration and memory against the number of objects (1k, 10k,
// 100k): the cost must grow linearly, the memory as the resident state says.

import { availableParallelism } from 'node:os';
import { lineChartSvg } from '../../src/report/chart.ts';
import { iterationStats, localMode, runWith, sampleMemory, simulated, writeJson, writeText, type ModeFactory } from '../common.ts';

export interface ScalingResult {
  study: 'scaling';
  rows: { mode: string; agents: number; objects: number; per_iteration_s: number; us_per_object_iteration_per_core: number; peak_bytes: number; bytes_per_object: number }[];
}

export async function scalingStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void; maxObjects?: number }): Promise<ScalingResult> {
  const sizes = (ctx.quick ? [200, 800, 3200] : [1_000, 10_000, 100_000]).filter((n) => n <= (ctx.maxObjects ?? Infinity));
  const rows: ScalingResult['rows'] = [];
  for (const mode of ctx.modes) {
    for (const n of sizes) {
      ctx.log(`scaling: ${mode.mode}, ${n} objects`);
      const { y, psf } = simulated(n);
      const sampler = sampleMemory(() => mode.pids?.() ?? [], 100);
      // One agent's Wasm memory holds at most 4 GiB (~45,000 stamps): more agents than cores if needed.
      const m = mode.mode === 'local' ? localMode(Math.max(mode.agents, Math.ceil(n / 30_000))) : mode;
      const r = await runWith(m, y, psf, { nIter: ctx.quick ? 8 : 12, nReweights: 0, tolerance: 0 }, Math.max(2 * m.agents, Math.ceil(n / 2000)));
      const samples = sampler.stop();
      const st = iterationStats(r);
      const peak = Math.max(...samples.map((s) => s.driver_bytes + s.agents_bytes));
      rows.push({
        mode: mode.mode, agents: m.agents, objects: n, per_iteration_s: st.mean_s,
        us_per_object_iteration_per_core: (st.mean_s / n) * 1e6 * Math.min(m.agents, availableParallelism()),
        peak_bytes: peak, bytes_per_object: peak / n,
      });
    }
  }
  const result: ScalingResult = { study: 'scaling', rows };
  writeJson('scaling.json', result);
  writeText('scaling.svg', lineChartSvg(
    ctx.modes.map((m) => {
      const rs = rows.filter((r) => r.mode === m.mode);
      return { name: `${m.mode}, ${m.agents} agents`, x: rs.map((r) => r.objects), y: rs.map((r) => r.per_iteration_s) };
    }),
    { title: 'Time per iteration vs objects', subtitle: 'log–log; a slope of 1 is linear scaling', xLabel: 'objects', yLabel: 'seconds per iteration', logX: true, logY: true },
  ));
  return result;
}
