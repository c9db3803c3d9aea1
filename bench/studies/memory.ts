// `--memory`: resident memory of driver and agents over a run, and bytes written to
// disk — the paper's Figure 3 (6.6–9.3 GB of spill per Spark worker).

import { lineChartSvg } from '../../src/report/chart.ts';
import { bytesWritten, runWith, sampleMemory, simulated, writeJson, writeText, type ModeFactory } from '../common.ts';

export interface MemoryResult {
  study: 'memory';
  objects: number;
  iterations: number;
  runs: { mode: string; agents: number; peak_total_bytes: number; peak_driver_bytes: number; peak_agents_bytes: number; disk_written_bytes: number; samples: { t_s: number; driver_bytes: number; agents_bytes: number }[] }[];
}

export async function memoryStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void }): Promise<MemoryResult> {
  const objects = ctx.quick ? 800 : 10_000;
  const iterations = ctx.quick ? 4 : 30;
  const { y, psf } = simulated(objects);
  const runs: MemoryResult['runs'] = [];
  for (const mode of ctx.modes) {
    ctx.log(`memory: ${mode.mode}, ${mode.agents} agents`);
    const disk0 = bytesWritten() + (mode.pids?.() ?? []).reduce((s, p) => s + bytesWritten(p), 0);
    const sampler = sampleMemory(() => mode.pids?.() ?? [], ctx.quick ? 50 : 100);
    await runWith(mode, y, psf, { nIter: iterations, nReweights: 1, tolerance: 0 }, 4 * mode.agents);
    const samples = sampler.stop();
    const disk = bytesWritten() + (mode.pids?.() ?? []).reduce((s, p) => s + bytesWritten(p), 0) - disk0;
    runs.push({
      mode: mode.mode, agents: mode.agents,
      peak_total_bytes: Math.max(...samples.map((s) => s.driver_bytes + s.agents_bytes)),
      peak_driver_bytes: Math.max(...samples.map((s) => s.driver_bytes)),
      peak_agents_bytes: Math.max(...samples.map((s) => s.agents_bytes)),
      disk_written_bytes: disk, samples,
    });
  }
  const result: MemoryResult = { study: 'memory', objects, iterations, runs };
  writeJson('memory.json', result);
  const series = runs.flatMap((r) => [
    { name: `${r.mode}: driver${r.mode === 'local' ? ' + agent threads' : ''}`, x: r.samples.map((s) => s.t_s), y: r.samples.map((s) => s.driver_bytes / 2 ** 20) },
    ...(r.samples.some((s) => s.agents_bytes > 0) ? [{ name: `${r.mode}: agents`, x: r.samples.map((s) => s.t_s), y: r.samples.map((s) => s.agents_bytes / 2 ** 20) }] : []),
  ]);
  writeText('memory.svg', lineChartSvg(series, {
    title: 'Resident memory during a run', subtitle: `${objects} objects, ${iterations}+${iterations} iterations; no disk spill`,
    xLabel: 'wall time [s]', yLabel: 'resident memory [MiB]', hlines: [{ y: 1024, label: '1 GiB target' }],
  }));
  return result;
}
