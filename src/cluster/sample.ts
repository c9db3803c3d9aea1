// For the live view: the current estimate of a few objects, read from the agents that
// hold them (a read-only `sample` request, no state changes, so no output bit changes),
// at most once per `everyMs` and only while someone is looking. Best effort: an agent
// that does not answer leaves its objects out of this sample; the next step finds it.

import { MAX_SAMPLE, PROTOCOL_VERSION } from './protocol.ts';
import type { Pool } from './pool.ts';
import type { EventSink } from './events.ts';

export interface SamplerConfig {
  pool: Pool;
  run: string;
  ranges: { first: number; n: number }[];
  npix: number;
  emit: EventSink;
  /** Object indices (out-of-range ones and those past MAX_SAMPLE are dropped). */
  objects: number[];
  everyMs?: number;
  wanted?: () => boolean;
}

/** A function that samples (when due) and emits a `sample` event. */
export function sampler(c: SamplerConfig): (iteration: number) => Promise<void> {
  const total = c.ranges.reduce((s, r) => s + r.n, 0);
  const objects = [...new Set(c.objects)].filter((i) => Number.isInteger(i) && i >= 0 && i < total).slice(0, MAX_SAMPLE);
  // where each object lives: [partition, index in it]
  const picks = objects.map((i): [number, number] => {
    const p = c.ranges.findIndex((r) => i >= r.first && i < r.first + r.n);
    return [p, i - c.ranges[p].first];
  });
  let last = -Infinity;
  return async (iteration) => {
    if (objects.length === 0 || performance.now() - last < (c.everyMs ?? 1000) || c.wanted?.() === false) return;
    last = performance.now();
    const replies = await c.pool.poll((parts) => ({
      v: PROTOCOL_VERSION, type: 'sample', run: c.run, picks: picks.filter(([p]) => parts.includes(p)),
    }));
    const estimates = new Map<number, Float32Array>();
    const memory: Record<string, number> = {};
    for (const [agent, r] of replies) {
      if (r.type !== 'sampled') continue;
      memory[agent] = r.memory;
      const asked = picks.filter(([p]) => c.pool.ownerOf(p) === agent);
      if (r.x.length !== asked.length * c.npix) continue;
      asked.forEach(([p, i], k) => estimates.set(c.ranges[p].first + i, r.x.subarray(k * c.npix, (k + 1) * c.npix)));
    }
    const got = objects.filter((i) => estimates.has(i));
    const x = new Float32Array(got.length * c.npix);
    got.forEach((i, k) => x.set(estimates.get(i)!, k * c.npix));
    c.emit({ type: 'sample', iteration, objects: got, x, memory });
  };
}
