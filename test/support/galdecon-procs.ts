// Test helper: `galdecon agent` and `galdecon run` as child processes, with their
// stderr collected, started and stopped by pid.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));

export class Proc {
  readonly child: ChildProcess;
  stderr = '';
  stdout = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], opts: { env?: NodeJS.ProcessEnv; prefix?: string[] } = {}) {
    const [cmd, ...pre] = [...(opts.prefix ?? []), process.execPath];
    this.child = spawn(cmd, [...pre, BIN, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d) => { this.stderr += String(d); });
    this.child.stdout!.on('data', (d) => { this.stdout += String(d); });
    this.exited = new Promise((r) => this.child.once('close', (code, signal) => r(signal ? null : code)));
  }

  /** Resolves when stderr matches, rejects on exit or after `ms`. */
  async waitFor(pattern: RegExp, ms = 20_000): Promise<void> {
    const t0 = Date.now();
    while (!pattern.test(this.stderr)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`exited before ${pattern}: ${this.stderr}`);
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${pattern}: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** A `galdecon agent` process, resolved once it serves. */
export async function startAgent(url: string, threads = 1, opts: { env?: NodeJS.ProcessEnv; args?: string[]; prefix?: string[] } = {}): Promise<Proc> {
  const p = new Proc(['agent', '--nats', url, '--threads', String(threads), ...(opts.args ?? [])], opts);
  await p.waitFor(/serving as/);
  return p;
}

/** Agent ids a process serves (from its log). */
export function agentIds(p: Proc): string[] {
  return /serving as (.*)/.exec(p.stderr)![1].split(', ');
}

/**
 * A local run and a NATS run (`nats`: its options, with checkpoints) started together; the
 * NATS driver SIGKILLed once it logs `killAt`, then run again with --resume: no output from
 * the killed driver, and the resumed one's is the local one's, byte for byte, from a
 * checkpoint that restored (no replay from the start). Returns the history entry it
 * resumed at. `run(out, extra)` starts `galdecon run` writing DIR/out.
 */
export async function killAndResume(run: (out: string, extra: string[]) => Proc, dir: string, nats: string[], killAt: RegExp): Promise<number> {
  const local = run('local.npy', ['--agents', '2', '--quiet']);
  const first = run('x.npy', nats);
  await first.waitFor(killAt, 60_000);
  first.kill('SIGKILL');
  await first.exited;
  assert.ok(!existsSync(join(dir, 'x.npy')), 'the killed driver wrote output');
  const second = run('x.npy', [...nats, '--resume']);
  assert.equal(await second.exited, 0, second.stderr);
  const from = /resumed from its checkpoint at history entry (\d+)/.exec(second.stderr);
  assert.ok(from, second.stderr);
  assert.doesNotMatch(second.stderr, /unavailable; replaying/);
  assert.equal(await local.exited, 0, local.stderr);
  assert.ok(readFileSync(join(dir, 'local.npy')).equals(readFileSync(join(dir, 'x.npy'))), 'resumed output differs');
  return Number(from[1]);
}
