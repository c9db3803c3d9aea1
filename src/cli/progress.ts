// A one-line progress display for long runs: on a TTY it rewrites itself in place
// (iteration, cost, time per iteration, ETA); elsewhere, or with --quiet, it is silent.

import type { Progress } from '../solver/index.ts';

export interface ProgressLine {
  update(p: Progress): void;
  done(): void;
}

export function progressLine(total: number, opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): ProgressLine {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || !stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let lastCost: number | undefined;
  let shown = false;
  return {
    update(p) {
      if (p.cost !== undefined) lastCost = p.cost;
      const now = performance.now();
      if (now - last < 100 && p.remaining > 0) return;
      last = now;
      const perIt = p.elapsedS / Math.max(1, p.iteration);
      const cost = lastCost === undefined ? '' : `  cost ${lastCost.toExponential(4)}`;
      const line = `iteration ${p.iteration}/${total}${cost}  ${(perIt * 1000).toFixed(1)} ms/it  ETA ≤ ${(perIt * p.remaining).toFixed(1)} s`;
      stream.write(`\r${line}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
