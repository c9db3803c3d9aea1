// A/B timing of the solver's kernels between .wasm builds in one process (CPU time, min
// over rounds, builds alternated call by call): a barrier of 4 Condat–Vũ iterations with
// their costs (as the solver runs them at cost window 1), the cost kernel, the reweight.
//   npx tsx bench/step-ab.mts old.wasm new.wasm [41x41 64x64 ...]
// With --masked (builds that have stepMasked): also the barrier with a mask (--mask), 1
// pixel in 10 dropped, the rest weighted 0.5..1.
import { interleaved, loadBuilds } from './ab.ts';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.wasm'));
const sizes = args.filter((a) => /^\d+x\d+$/.test(a)).map((s) => s.split('x').map(Number) as [number, number]);
if (!sizes.length) sizes.push([41, 41]);
const masked = args.includes('--masked');
const mods = loadBuilds(files);
const G = 16, N = G * 4, ROUNDS = +(process.env.ROUNDS ?? 30), ITER = 4;
const params = { tau: 0.5, dualStep: 0.5, rho: 0.8, positivity: true };
for (const [ny, nx] of sizes) {
  const setups = mods.map((m) => {
    m.configure({ ny, nx, wavelet: 'linear' });
    const s = m.allocResident(G);
    const costs = m.allocCosts(G, ITER);
    for (const b of [s.x, s.ph, s.yh, s.dual, s.w, s.phix]) {
      const v = m.f32(b);
      for (let i = 0; i < v.length; i++) v[i] = 0.5 + 0.4 * Math.sin(i * 0.37);
    }
    m.f32(s.w0).fill(0.01);
    m.dft(s.x, s.xh, G);
    const tasks: Record<string, () => void> = {
      step4: () => m.step(s, params, ITER, { out: costs, every: 1 }),
      cost: () => m.costTerms(s, costs),
      reweight: () => m.reweight(s),
    };
    if (masked) {
      const sm = m.allocResident(G, { masked: true });
      for (const k of ['x', 'xh', 'ph', 'yh', 'dual', 'w', 'phix', 'w0'] as const) m.f32(sm[k]).set(m.f32(s[k]));
      const w = m.f32(sm.mask!);
      for (let i = 0; i < w.length; i++) w[i] = i % 10 === 3 ? 0 : 0.5 + ((i * 7) % 11) / 22;
      tasks['step4-masked'] = () => m.step(sm, params, ITER, { out: costs, every: 1 });
    }
    return tasks;
  });
  const best = interleaved(setups, ROUNDS, (task) => N * (task.startsWith('step4') ? ITER : 1));
  for (const [n, v] of Object.entries(best)) {
    const ratio = v.length > 1 ? `  new/old ${(v[v.length - 1] / v[0]).toFixed(3)}` : '';
    console.log(`${ny}x${nx}`.padEnd(7), n.padEnd(9), v.map((x) => x.toFixed(2).padStart(7)).join(' '), 'µs/object' + (n.startsWith('step4') ? '-iteration' : ''), ratio);
  }
}
