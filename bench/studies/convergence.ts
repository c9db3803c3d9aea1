// `--convergence`: cost against wall time, one agent against all agents — the paper's
// Figure 4 (480 min standalone against 190 min distributed for 150 iterations).

import { lineChartSvg } from '../../src/report/chart.ts';
import { runWith, simulated, writeJson, writeText, type ModeFactory } from '../common.ts';

export interface ConvergenceResult {
  study: 'convergence';
  objects: number;
  runs: { mode: string; agents: number; iterations: number; converged: boolean; total_s: number; cost: number[]; cost_time_s: number[] }[];
  identical_output: boolean;
}

export async function convergenceStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void }): Promise<ConvergenceResult> {
  const objects = ctx.quick ? 400 : 10_000;
  const { y, psf } = simulated(objects);
  const runs: ConvergenceResult['runs'] = [];
  const outputs: Float32Array[] = [];
  for (const mode of ctx.modes) {
    ctx.log(`convergence: ${mode.mode}, ${mode.agents} agents`);
    const options = ctx.quick ? { nIter: 20, nReweights: 1 } : {};
    const t0 = performance.now();
    const r = await runWith(mode, y, psf, options, 2 * mode.agents);
    runs.push({
      mode: mode.mode, agents: mode.agents, iterations: r.iterations, converged: r.converged,
      total_s: (performance.now() - t0) / 1000, cost: r.cost, cost_time_s: r.costTimes,
    });
    outputs.push(r.x);
  }
  const identical = outputs.every((x) => Buffer.from(x.buffer).equals(Buffer.from(outputs[0].buffer)));
  const result: ConvergenceResult = { study: 'convergence', objects, runs, identical_output: identical };
  writeJson('convergence.json', result);
  writeText('convergence.svg', lineChartSvg(
    runs.map((r) => ({ name: `${r.mode}, ${r.agents} agent${r.agents > 1 ? 's' : ''}`, x: r.cost_time_s, y: r.cost })),
    { title: 'Cost vs wall time', subtitle: `${objects} objects, default options${identical ? '; identical outputs' : ''}`, xLabel: 'wall time [s]', yLabel: 'cost (log)', logY: true },
  ));
  return result;
}
