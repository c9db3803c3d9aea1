// `--kernels`: tinybench micro-benchmarks of every kernel and of the full Condat–Vũ
// iteration, in µs per object-iteration on one core, next to the plain-TypeScript scalar
// implementation (src/kernels/reference.ts) measured in the same run.

import { Bench } from 'tinybench';
import { KernelModule, groupsFor } from '../src/kernels/index.ts';
import { ReferenceSolver, defaultReferenceOptions } from '../src/reference/index.ts';
import { Batch, resolveOptions } from '../src/solver/index.ts';
import { lineChartSvg } from '../src/report/chart.ts';
import { writeText } from './common.ts';

export interface KernelRow {
  size: string;
  task: string;
  objects: number;
  /** Mean over the samples. */
  us_per_object: number;
  /** Relative margin of error of the mean, %. */
  rme_percent: number;
  /** Median over the samples: robust to the machine's occasional stalls (see bench/README). */
  median_us_per_object: number;
  samples: number;
}

export interface KernelsResult {
  study: 'kernels';
  rows: KernelRow[];
  /** Full iteration (step + cost) at 41×41, Wasm SIMD: the median over the samples. */
  us_per_object_iteration: number;
  /** The same, mean over the samples. */
  mean_us_per_object_iteration: number;
  scalar_us_per_object_iteration: number;
  speedup_vs_scalar: number;
  /** The full iteration with a mask (--mask), 41×41, median. */
  masked_us_per_object_iteration: number;
}

/** A realistic stack: smooth galaxies and normalised Moffat-like PSFs, deterministic. */
function stack(n: number, ny: number, nx: number): { y: Float32Array; p: Float32Array } {
  const y = new Float32Array(n * ny * nx);
  const p = new Float32Array(n * ny * nx);
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    const re = 2 + 2 * rnd(), fw = 2 + 1.5 * rnd();
    let ps = 0;
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const dy = r - (ny >> 1), dx = c - (nx >> 1), rr = dy * dy + dx * dx;
        y[(i * ny + r) * nx + c] = 0.01 * Math.exp(-Math.sqrt(rr) / re) + 3e-4 * (rnd() - 0.5) * 3.4;
        const v = (1 + rr / (fw * fw)) ** -3;
        p[(i * ny + r) * nx + c] = v;
        ps += v;
      }
    }
    for (let j = 0; j < ny * nx; j++) p[i * ny * nx + j] /= ps;
  }
  return { y, p };
}

export async function kernelsStudy(opts: { quick: boolean; log: (s: string) => void }): Promise<KernelsResult> {
  const time = opts.quick ? 150 : 2500;
  const rows: KernelRow[] = [];
  const bench = new Bench({ time, warmupTime: opts.quick ? 50 : 300 });
  const perTask = new Map<string, { size: string; task: string; objects: number }>();
  const add = (size: string, task: string, objects: number, fn: () => void) => {
    const name = `${size} ${task}`;
    perTask.set(name, { size, task, objects });
    bench.add(name, fn);
  };
  const options = resolveOptions({});
  const sizes: [number, number][] = [[41, 41], [64, 64]];
  const disposers: (() => void)[] = [];
  for (const [ny, nx] of sizes) {
    const size = `${ny}x${nx}`;
    const n = ny === 41 ? 1024 : 256;
    const { y, p } = stack(n, ny, nx);
    const m = new KernelModule();
    const batch = new Batch(m, { y, psfs: p, shape: { n, ny, nx }, psf: { n, ky: ny, kx: nx }, noiseSigma: 3e-4, options });
    disposers.push(() => batch.dispose());
    // As the solver runs them: a barrier of 4 iterations, each with its cost (cost window 1),
    // a group at a time; timed per object-iteration.
    add(size, 'full iteration (step + cost)', n * 4, () => batch.advance(4, true));
    // The same with a mask (--mask): 1 pixel in 10 dropped, the rest weighted 0.5..1.
    const mask = Float32Array.from({ length: y.length }, (_, q) => (q % 10 === 3 ? 0 : 0.5 + ((q * 7) % 11) / 22));
    const masked = new Batch(new KernelModule(), { y, psfs: p, mask, shape: { n, ny, nx }, psf: { n, ky: ny, kx: nx }, noiseSigma: 3e-4, options });
    disposers.push(() => masked.dispose());
    add(size, 'masked full iteration (step + cost)', n * 4, () => masked.advance(4, true));
    add(size, 'one iteration per call (step + cost)', n, () => batch.advance(1, true));
    add(size, 'Condat step (no cost)', n, () => batch.step(1));
    add(size, 'cost', n, () => batch.costSum());
    // single kernels over the same number of objects
    const groups = groupsFor(n);
    const s = m.allocResident(groups);
    const pix2 = m.alloc('f32', KernelModule.pixels(ny, nx, groups));
    m.f32(s.x).set(y.subarray(0, Math.min(y.length, m.f32(s.x).length)));
    for (const spec of [s.xh, s.ph, s.yh]) m.dft(s.x, spec, groups);
    const cfg = () => m.configure({ ny, nx, wavelet: 'linear' });
    add(size, 'rfft2 (forward DFT)', n, () => { cfg(); m.dft(s.x, s.xh, groups); });
    add(size, 'irfft2 (inverse DFT)', n, () => { cfg(); m.inverseDft(s.ph, pix2, groups); });
    add(size, 'gradient Hᵀ(Hx − y)', n, () => { cfg(); m.gradient(s, pix2); });
    add(size, 'Φ (starlet)', n, () => { cfg(); m.phi(s.x, s.dual, groups); });
    add(size, 'Φᵀ (starlet adjoint)', n, () => { cfg(); m.phiAdjoint(s.dual, pix2, groups); });
    if (ny === 41) {
      const ns = 8;
      const ref = new ReferenceSolver(y.subarray(0, ns * ny * nx), p.subarray(0, ns * ny * nx), { n: ns, ny, nx },
        { n: ns, ky: ny, kx: nx }, { ...defaultReferenceOptions, noiseEst: 3e-4 });
      add(size, 'scalar TypeScript: full iteration (step + cost)', ns, () => {
        ref.step();
        ref.cost();
      });
    }
  }
  opts.log(`running ${bench.tasks.length} benchmarks (${time} ms each)…`);
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result;
    const meta = perTask.get(t.name)!;
    if (r.state !== 'completed') throw new Error(`benchmark ${t.name} did not complete (${r.state})`);
    rows.push({
      size: meta.size, task: meta.task, objects: meta.objects,
      us_per_object: (r.latency.mean * 1000) / meta.objects,
      rme_percent: r.latency.rme,
      median_us_per_object: (r.latency.p50 * 1000) / meta.objects,
      samples: r.latency.samplesCount,
    });
  }
  for (const d of disposers) d();
  const row = (task: string) => rows.find((r) => r.size === '41x41' && r.task === task)!;
  const tasks = [...new Set(rows.filter((r) => r.size === '64x64').map((r) => r.task))];
  writeText('kernels.svg', lineChartSvg(tasks.map((task) => {
    const rs = rows.filter((r) => r.task === task);
    return { name: task, x: rs.map((r) => Number(r.size.split('x')[0])), y: rs.map((r) => r.us_per_object) };
  }), { title: 'Kernels: µs per object, one core', subtitle: 'Wasm SIMD, 41×41 and 64×64', xLabel: 'stamp size (px)', yLabel: 'µs per object', logY: true }));
  const full = row('full iteration (step + cost)');
  const scalar = row('scalar TypeScript: full iteration (step + cost)').median_us_per_object;
  return {
    study: 'kernels', rows, us_per_object_iteration: full.median_us_per_object,
    mean_us_per_object_iteration: full.us_per_object, scalar_us_per_object_iteration: scalar,
    speedup_vs_scalar: scalar / full.median_us_per_object,
    masked_us_per_object_iteration: row('masked full iteration (step + cost)').median_us_per_object,
  };
}
