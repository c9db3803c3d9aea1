// Test helper: a real nats-server on a free loopback port, with its own temporary store
// and ports-file directory, stopped by pid. Tests call `natsAvailable()` first: without
// a nats-server binary they skip loudly, except under CI=true, where they must run.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/** Whether a nats-server binary runs here; under CI=true its absence is an error. */
export function natsAvailable(): boolean {
  const r = spawnSync(NATS_SERVER, ['--version'], { encoding: 'utf8' });
  const ok = r.status === 0;
  if (!ok) {
    if (process.env.CI === 'true') throw new Error(`CI=true but ${NATS_SERVER} cannot run: install nats-server (apt-get install -y nats-server)`);
    process.stderr.write(`\n*** SKIPPING NATS TESTS: ${NATS_SERVER} is not installed (apt-get install -y nats-server) ***\n\n`);
  }
  return ok;
}

export interface ServerOptions {
  /** Extra nats-server config text (auth, max_payload, …). */
  config?: string;
  /** Reuse a store directory (for restarts); default: a new temp dir. */
  dir?: string;
  /** Fixed port (for restarts); default: a free one chosen by the server. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Run the server through this command prefix, e.g. ['ip', 'netns', 'exec', 'ns']. */
  prefix?: string[];
}

export class NatsServer {
  readonly dir: string;
  port = 0;
  private proc: ChildProcess | undefined;
  private readonly opts: ServerOptions;

  private constructor(opts: ServerOptions) {
    this.opts = opts;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'galdecon-nats-'));
  }

  static async start(opts: ServerOptions = {}): Promise<NatsServer> {
    const s = new NatsServer(opts);
    await s.launch();
    return s;
  }

  get url(): string {
    return `nats://${this.opts.host ?? '127.0.0.1'}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private async launch(): Promise<void> {
    const conf = join(this.dir, 'server.conf');
    writeFileSync(conf, this.opts.config ?? '');
    for (const f of readdirSync(this.dir)) if (f.endsWith('.ports')) rmSync(join(this.dir, f));
    const port = this.port || this.opts.port || -1;
    const args = ['-c', conf, '-a', this.opts.host ?? '127.0.0.1', '-p', String(port), '-js', '-sd', join(this.dir, 'store'),
      '--ports_file_dir', this.dir];
    const [cmd, ...pre] = [...(this.opts.prefix ?? []), NATS_SERVER];
    const proc = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    let log = '';
    proc.stderr?.on('data', (d) => { log = (log + String(d)).slice(-4000); });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const file = readdirSync(this.dir).find((f) => f.endsWith('.ports'));
      if (file) {
        const ports = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as { nats: string[] };
        this.port = Number(new URL(ports.nats[0]).port);
        if (log.includes('Server is ready')) return;
      }
      if (proc.exitCode !== null) throw new Error(`nats-server exited: ${log}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** Stops the server (by pid) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await exited;
    }
  }

  /** Stops then starts again on the same port, with the same store or (`wipe`) an empty one. */
  async restart(downMs = 0, opts: { wipe?: boolean } = {}): Promise<void> {
    await this.stop();
    if (opts.wipe) rmSync(join(this.dir, 'store'), { recursive: true, force: true });
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (!this.opts.dir && existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}
