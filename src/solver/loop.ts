// The outer loop of ALGORITHM §7–§8: phases of up to nIter iterations, the cost after
// every costWindow-th iteration, the 4-cost convergence test, and reweighting between
// phases. It drives any `Stepper` — one in-process batch, or a driver fanning out to
// agents — so the schedule, and hence every result, is the same in both.

import { OptionError } from '../errors.ts';
import type { SolverOptions } from './options.ts';

export interface Stepper {
  /**
   * Runs `iterations` iterations on every object; if `evaluate`, returns the total cost
   * of the resulting x (exactly summed, see exact-sum.ts).
   */
  advance(iterations: number, evaluate: boolean): Promise<number | undefined>;
  /** W ← W / (1 + |Φx| / W⁽⁰⁾) on every object. */
  reweight(): Promise<void>;
}

export interface ConvergenceTest {
  iteration: number;
  diff: number;
  converged: boolean;
}

export interface Progress {
  iteration: number;
  phase: number;
  /** Most recent cost, if one was evaluated at this iteration. */
  cost?: number;
  elapsedS: number;
  /** Upper bound on the iterations left. */
  remaining: number;
}

export interface LoopResult {
  iterations: number;
  phaseIterations: number[];
  /** Whether the stopping rule ended the last phase. */
  converged: boolean;
  cost: number[];
  costIterations: number[];
  /** Seconds since the loop started, for each cost. */
  costTimes: number[];
  tests: ConvergenceTest[];
  reweightIterations: number[];
  iterateS: number;
}

export type LoopOptions = Pick<SolverOptions, 'nIter' | 'nReweights' | 'tolerance' | 'costWindow'>;

/** The relative change between the mean of the last two and of the first two costs (§7). */
export function convergenceDiff(list: readonly number[]): number {
  const tNew = (list[2] + list[3]) / 2;
  const tOld = (list[0] + list[1]) / 2;
  return tNew === 0 ? 0 : Math.abs(tNew - tOld) / Math.abs(tNew);
}

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
      // Run up to the next cost evaluation (or the end of the phase) in one barrier:
      // objects are independent, so this changes no bit, only the number of messages.
      const untilCost = costWindow - (it % costWindow);
      const k = Math.min(untilCost, nIter - done);
      const evaluate = (it + k) % costWindow === 0;
      const cost = await stepper.advance(k, evaluate);
      it += k;
      done += k;
      if (evaluate) {
        if (cost === undefined) throw new Error('the stepper returned no cost where one was due');
        r.cost.push(cost);
        r.costIterations.push(it);
        r.costTimes.push((performance.now() - start) / 1000);
        list.push(cost);
        if (list.length === 4) {
          const diff = convergenceDiff(list);
          converged = tolerance > 0 && diff <= tolerance;
          r.tests.push({ iteration: it, diff, converged });
          list = [];
        }
      }
      onProgress?.({
        iteration: it, phase, cost: evaluate ? cost : undefined,
        elapsedS: (performance.now() - start) / 1000,
        remaining: (nIter - done) + (nReweights - phase) * nIter,
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
