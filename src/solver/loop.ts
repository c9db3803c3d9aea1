// The outer loop of docs/ALGORITHM.md §7–§8: phases of up to nIter iterations, the cost after
// every costWindow-th iteration, the 4-cost convergence test, and reweighting between
// phases. It drives any `Stepper` — one in-process batch, or a driver fanning out to
// agents — so the schedule, and hence every result, is the same in both.

import { OptionError } from '../errors.ts';
import type { ConvergenceTest } from '../common/types.ts';
import type { SolverOptions } from './options.ts';
import { convergenceDiff, isConverged } from './method.ts';

export type { ConvergenceTest };

export interface Stepper {
  /**
   * Runs `iterations` iterations on every object; if `evaluate`, returns the total cost
   * (exactly summed, see exact-sum.ts) after every costWindow-th of them counted back
   * from the last: ⌈iterations / costWindow⌉ costs, the earliest first.
   */
  advance(iterations: number, evaluate: boolean): Promise<number[]>;
  /** W ← W / (1 + |Φx| / W⁽⁰⁾) on every object. */
  reweight(): Promise<void>;
}


export interface Progress {
  iteration: number;
  phase: number;
  /** Most recent cost, if one was evaluated at this iteration. */
  cost?: number;
  elapsedS: number;
  /** Upper bound on the iterations left. */
  remaining: number;
  /** The costs this barrier evaluated, with their iterations and times (as in LoopResult). */
  costs?: { iteration: number; cost: number; timeS: number }[];
  /** The convergence tests this barrier completed. */
  tests?: ConvergenceTest[];
}

export interface LoopResult {
  iterations: number;
  phaseIterations: number[];
  /** Whether the stopping rule ended the last phase. */
  converged: boolean;
  cost: number[];
  costIterations: number[];
  /**
   * Seconds since the loop started at each cost. A barrier's last cost is its end; the
   * earlier ones are interpolated by iteration count between the barrier's start and end:
   * the kernels run a barrier group by group (all its iterations on 4 objects, then the
   * next 4), so no moment exists at which every object has finished an intermediate
   * iteration, and the work per iteration is uniform.
   */
  costTimes: number[];
  tests: ConvergenceTest[];
  reweightIterations: number[];
  iterateS: number;
}

export type LoopOptions = Pick<SolverOptions, 'nIter' | 'nReweights' | 'tolerance' | 'costWindow'>;


export async function iterate(
  stepper: Stepper, opts: LoopOptions, onProgress?: (p: Progress) => void,
): Promise<LoopResult> {
  const { nIter, nReweights, tolerance, costWindow } = opts;
  if (!(nIter >= 1 && costWindow >= 1)) throw new OptionError('nIter and costWindow must be ≥ 1');
  const start = performance.now();
  const r: LoopResult = {
    iterations: 0, phaseIterations: [], converged: false, cost: [], costIterations: [], costTimes: [],
    tests: [], reweightIterations: [], iterateS: 0,
  };
  let list: number[] = [];
  let it = 0;
  for (let phase = 0; phase <= nReweights; phase++) {
    if (phase > 0) {
      await stepper.reweight();
      r.reweightIterations.push(it);
    }
    let done = 0;
    let converged = false;
    while (done < nIter) {
      // One barrier runs up to the next convergence test (4 costs), or to the end of the
      // phase: objects are independent between tests, so this changes no bit, only the
      // number of messages (and each group's state stays in cache for all of it). A
      // barrier with costs ends on one, so its costs fall on every costWindow-th
      // iteration counted back from its last.
      const untilCost = costWindow - (it % costWindow);
      const left = nIter - done;
      let k = untilCost + (3 - list.length) * costWindow;
      let evaluate = true;
      if (k > left) {
        if (untilCost > left) {
          k = left;
          evaluate = false;
        } else {
          k = untilCost + Math.floor((left - untilCost) / costWindow) * costWindow;
        }
      }
      const began = (performance.now() - start) / 1000;
      const costs = await stepper.advance(k, evaluate);
      const count = evaluate ? Math.ceil(k / costWindow) : 0;
      if (costs.length !== count) throw new Error(`the stepper returned ${costs.length} costs where ${count} were due`);
      const ended = (performance.now() - start) / 1000;
      const barrier: NonNullable<Progress['costs']> = [];
      const tests: ConvergenceTest[] = [];
      costs.forEach((cost, m) => {
        const at = it + k - (count - 1 - m) * costWindow;
        const timeS = began + ((at - it) / k) * (ended - began);
        r.cost.push(cost);
        r.costIterations.push(at);
        r.costTimes.push(timeS);
        barrier.push({ iteration: at, cost, timeS });
        list.push(cost);
        if (list.length === 4) {
          const diff = convergenceDiff(list);
          converged = isConverged(diff, tolerance);
          tests.push({ iteration: at, diff, converged });
          list = [];
        }
      });
      r.tests.push(...tests);
      it += k;
      done += k;
      onProgress?.({
        iteration: it, phase, cost: count > 0 ? costs[count - 1] : undefined,
        elapsedS: (performance.now() - start) / 1000,
        remaining: (nIter - done) + (nReweights - phase) * nIter,
        costs: barrier, tests,
      });
      if (converged) break;
    }
    r.phaseIterations.push(done);
    r.converged = converged;
  }
  r.iterations = it;
  r.iterateS = (performance.now() - start) / 1000;
  return r;
}
