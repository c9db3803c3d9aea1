// An agent's checkpoint uploads, in the background: a checkpoint's state is copied out
// at the barrier, and stored while the partition steps on. Each partition's last upload
// is reported to the driver (`stepped` replies), which counts a checkpoint only once
// every partition's is stored; a newer one of a partition replaces the older in the
// reports (the older may still finish: it is then only garbage the driver deletes).

import type { Upload } from './protocol.ts';

export class Uploads {
  /** The last upload of each partition, as reported. */
  private readonly last = new Map<number, Upload>();

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Whether partition `partition`'s checkpoint at `op` is being stored or stored. */
  holds(partition: number, op: number): boolean {
    const had = this.last.get(partition);
    return had?.op === op && had.state !== 'failed';
  }

  /** Starts `put` as partition `partition`'s checkpoint at `op` (nothing if that one is already in hand). */
  add(partition: number, op: number, put: () => Promise<void>): void {
    if (this.holds(partition, op)) return;
    const entry: Upload = { op, state: 'storing' };
    this.last.set(partition, entry);
    // Reported only while nothing replaced it (a newer checkpoint, a new state, a release).
    const settle = (u: Upload): void => {
      if (this.last.get(partition) !== entry) return;
      this.last.set(partition, u);
      if (u.error) this.log(`checkpoint of partition ${partition} at op ${op} not stored: ${u.error}`);
    };
    put().then(
      () => settle({ op, state: 'stored' }),
      (e: Error) => settle({ op, state: 'failed', error: e.message.slice(0, 200) }),
    );
  }

  /** Where each of `partitions`' last upload stands (those that have one). */
  report(partitions: readonly number[]): Record<string, Upload> | undefined {
    let out: Record<string, Upload> | undefined;
    for (const p of partitions) {
      const u = this.last.get(p);
      if (u) (out ??= {})[p] = u;
    }
    return out;
  }

  /** Forgets a partition (its state was replaced): its uploads no longer count. */
  forget(partition: number): void {
    this.last.delete(partition);
  }

  /** Forgets everything (the run is released); uploads still running finish unreported. */
  clear(): void {
    this.last.clear();
  }
}
