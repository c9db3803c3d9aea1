// Shared by the A/B scripts (dft-ab.mts, step-ab.mts, gram-ab.mts): load .wasm builds side by side and
// time named tasks on each, alternating builds call by call; CPU time, minimum over rounds.
import { readFileSync } from 'node:fs';
import { instantiateSync } from '@assemblyscript/loader';
import { KernelModule, type KernelExports } from '../src/kernels/index.ts';

export function loadBuilds(files: string[]): KernelModule[] {
  return files.map((f) => new KernelModule(instantiateSync(new WebAssembly.Module(readFileSync(f)), {
    env: { abort() { throw new Error('abort'); } },
  }).exports as unknown as KernelExports));
}

/** Per task, per build: the least CPU µs of one call over `rounds`, divided by `per`. */
export function interleaved(
  setups: Record<string, () => void>[], rounds: number, per: (task: string) => number, reps = 1,
): Record<string, number[]> {
  const best: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(setups[0])) {
      best[name] ??= setups.map(() => Infinity);
      setups.forEach((s, i) => {
        const t = process.cpuUsage();
        for (let r = 0; r < reps; r++) s[name]();
        const c = process.cpuUsage(t);
        best[name][i] = Math.min(best[name][i], (c.user + c.system) / reps / per(name));
      });
    }
  }
  return best;
}
