// Test helper: `galdecon agent` and `galdecon run` as child processes, with their
// stderr collected, started and stopped by pid.

import { spawn, type ChildProcess } from 'node:child_process';
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
