// What a run tells the user while it works. On a terminal: a progress line rewritten in
// place (lockstep: iteration, cost, time per iteration, ETA; stream: partitions and objects
// done, objects per second, ETA). Elsewhere (a batch job's log): one
// line per event — reading inputs, σ, partitions assigned — per convergence test
// (iteration, cost, relative change, s/it) and, in the stream schedule, per finished
// partition (at most every few seconds). With --log-json every line is a JSON object.
// --quiet silences progress only: warnings (and the summary, on stdout) remain.

import type { StreamProgress } from '../cluster/index.ts';
import type { Progress } from '../solver/index.ts';

export interface RunLog {
  /** An event of the run (reading inputs, σ, partitions, agents). */
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string): void;
  /** Something the user must see even with --quiet (e.g. where the live view is). */
  notice(msg: string): void;
  progress(p: Progress): void;
  /** Stream schedule: after every finished partition. */
  streamProgress(p: StreamProgress): void;
  done(): void;
}

export interface RunLogOptions {
  quiet?: boolean;
  json?: boolean;
  /** Where lines go (default: stderr). */
  write?: (s: string) => void;
  /** Terminal: rewrite one progress line in place (default: whether stderr is a TTY). */
  tty?: boolean;
}

export function runLog(total: number, opts: RunLogOptions = {}): RunLog {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const tty = opts.tty ?? (process.stderr.isTTY === true && !opts.json);
  const line = (level: string, msg: string, fields: Record<string, unknown> = {}): void => {
    if (opts.json) write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
    else write(`galdecon run: ${level === 'warn' ? 'warning: ' : ''}${msg}\n`);
  };
  let lastCost: number | undefined;
  let lastDraw = 0;
  let shown = false;
  const clear = () => {
    if (shown) write('\r\x1b[K');
    shown = false;
  };
  return {
    info(msg, fields) {
      if (opts.quiet) return;
      clear();
      line('info', msg, fields);
    },
    warn(msg) {
      clear();
      line('warn', msg);
    },
    notice(msg) {
      clear();
      line('info', msg);
    },
    progress(p) {
      if (opts.quiet) return;
      if (p.cost !== undefined) lastCost = p.cost;
      const perIt = p.elapsedS / Math.max(1, p.iteration);
      if (!tty) {
        for (const t of p.tests ?? []) {
          const cost = p.costs?.find((c) => c.iteration === t.iteration)?.cost ?? lastCost;
          const msg = `iteration ${t.iteration}/${total}: cost ${cost?.toExponential(6) ?? 'n/a'}, relative change ` +
            `${t.diff.toExponential(3)}${t.converged ? ' (converged)' : ''}, ${perIt.toFixed(4)} s/it`;
          line('info', msg, { event: 'test', iteration: t.iteration, cost, diff: t.diff, converged: t.converged, s_per_it: perIt });
        }
        return;
      }
      const now = performance.now();
      if (now - lastDraw < 100 && p.remaining > 0) return;
      lastDraw = now;
      const cost = lastCost === undefined ? '' : `  cost ${lastCost.toExponential(4)}`;
      write(`\riteration ${p.iteration}/${total}${cost}  ${(perIt * 1000).toFixed(1)} ms/it  ETA ≤ ${(perIt * p.remaining).toFixed(1)} s\x1b[K`);
      shown = true;
    },
    streamProgress(p) {
      if (opts.quiet) return;
      const now = performance.now();
      const last = p.partitionsDone === p.partitions;
      if (!tty) {
        if (now - lastDraw < STREAM_LOG_MS && !last) return;
        lastDraw = now;
        line('info', streamProgressText(p), { event: 'partitions', partitions_done: p.partitionsDone, objects_done: p.objectsDone });
        return;
      }
      write(`\r${streamProgressText(p)}\x1b[K`);
      shown = true;
    },
    done: clear,
  };
}

/** Least time between two stream progress lines in a log (a terminal line is rewritten each time). */
const STREAM_LOG_MS = 5000;

/**
 * Stream schedule: partitions run to the end one after another, so the rate is the
 * objects finished per second of the run, and the ETA the objects left at that rate.
 */
export function streamProgressText(p: StreamProgress): string {
  const rate = p.elapsedS > 0 ? p.objectsDone / p.elapsedS : 0;
  const eta = rate > 0 ? `${((p.objects - p.objectsDone) / rate).toFixed(1)} s` : '?';
  return `partitions ${p.partitionsDone}/${p.partitions}  objects ${p.objectsDone}/${p.objects}  ${rate.toFixed(0)} objects/s  ETA ${eta}`;
}
