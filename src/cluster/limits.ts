// How many agents one machine may run. Each agent is a thread with its own Wasm instance
// and partition state: far more of them than cores only adds memory and switching (a
// run with --agents 1000 grew to 5.8 GB before computing anything).

import { availableParallelism } from 'node:os';
import { OptionError } from '../errors.ts';

export const AGENTS_PER_CORE = 4;

/** Refuses `count` agents on this machine above AGENTS_PER_CORE per core, unless `oversubscribe`. */
export function checkAgentCount(count: number, option: string, oversubscribe = false, cores = availableParallelism()): void {
  const cap = AGENTS_PER_CORE * cores;
  if (count > cap && !oversubscribe) {
    throw new OptionError(`${option} ${count} is more than ${AGENTS_PER_CORE} agents per core (${cores} cores: at most ${cap}); ` +
      'each agent is a thread with its own memory: use fewer, or add --oversubscribe to insist');
  }
}
