// `galdecon agent --nats URL`: a long-running process serving any number of runs, one
// after another, with --threads agents (worker threads, each with its own NATS
// connection and Wasm instance). The main thread only beats (so a busy agent is never
// taken for a dead one) and logs: one line per event on stderr. SIGINT/SIGTERM drain:
// requests already received are finished, then the process exits 0.
//
// Also here: the NATS connection options shared with `galdecon run --nats`.

import { Worker } from 'node:worker_threads';
import { hostname } from 'node:os';
import { ClusterError, OptionError } from '../errors.ts';
import { startHeartbeat, redact, type NatsOptions } from '../cluster/nats.ts';
import { parseCommand, helpText, type CommandSpec, type OptionTable, type Parsed } from './args.ts';

export const NATS_OPTIONS: OptionTable = {
  'nats-user': { kind: 'string', arg: 'USER', help: 'NATS user (or env GALDECON_NATS_USER)' },
  'nats-pass': { kind: 'string', arg: 'PASS', help: 'NATS password (better: env GALDECON_NATS_PASS)' },
  'nats-token': { kind: 'string', arg: 'TOKEN', help: 'NATS token (better: env GALDECON_NATS_TOKEN)' },
  'nats-creds': { kind: 'string', arg: 'FILE', help: 'NATS credentials file (JWT and nkey seed)' },
  'tls-ca': { kind: 'string', arg: 'FILE', help: 'CA certificate to verify the server (PEM)' },
  'tls-cert': { kind: 'string', arg: 'FILE', help: 'client certificate for mutual TLS (PEM)' },
  'tls-key': { kind: 'string', arg: 'FILE', help: 'key of the client certificate (PEM)' },
};

/** Connection options from the command line and environment (command line wins). */
export function natsOptionsFrom(a: Parsed, env: NodeJS.ProcessEnv = process.env): NatsOptions {
  const str = (k: string) => (a[k] as string | undefined);
  const o: NatsOptions = {
    url: str('nats')!,
    user: str('nats-user') ?? env.GALDECON_NATS_USER,
    pass: str('nats-pass') ?? env.GALDECON_NATS_PASS,
    token: str('nats-token') ?? env.GALDECON_NATS_TOKEN,
    creds: str('nats-creds'),
    tlsCa: str('tls-ca'),
    tlsCert: str('tls-cert'),
    tlsKey: str('tls-key'),
  };
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new OptionError('--tls-cert and --tls-key go together');
  if (o.pass !== undefined && o.user === undefined) throw new OptionError('a NATS password needs a user (--nats-user)');
  return o;
}

export const AGENT: CommandSpec = {
  name: 'agent',
  summary: 'serve deconvolution runs from a NATS server (long-running)',
  usage: 'galdecon agent --nats URL [--threads K] [auth/TLS options]',
  options: {
    nats: { kind: 'string', arg: 'URL', help: 'NATS server(s), e.g. nats://host:4222 (comma-separated for a cluster)', required: true },
    threads: { kind: 'integer', arg: 'K', help: 'agents in this process (one worker thread and Wasm instance each)', default: 1 },
    ...NATS_OPTIONS,
  },
  notes: [
    'Announces itself, beats every second, and serves runs one after another until SIGINT/SIGTERM,',
    'which finishes the requests in hand and exits 0. If the server goes away it reconnects forever',
    '(a driver moves the partitions of a silent agent elsewhere after a few seconds).',
    'One line per event on stderr. Secrets are never printed.',
    'example: GALDECON_NATS_PASS=… galdecon agent --nats nats://nats.example:4222 --nats-user galdecon --threads 4',
  ].join('\n'),
};

const ENTRY = new URL('../cluster/nats-agent-entry.mjs', import.meta.url);

export async function agentCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(AGENT, argv);
  if (a.help) {
    io.out(helpText(AGENT));
    return 0;
  }
  const threads = a.threads as number;
  if (!(threads >= 1 && threads <= 256)) throw new OptionError(`--threads must be in 1..256 (got ${threads})`);
  const nats = natsOptionsFrom(a);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} galdecon agent: ${line}\n`);
  const base = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${process.pid}`;
  const runs = new Map<string, string | null>();
  const workers: Worker[] = [];
  let failed: Error | undefined;
  const ready = Array.from({ length: threads }, (_, k) => new Promise<void>((resolve, reject) => {
    const id = `${base}-${k}`;
    const w = new Worker(ENTRY, { workerData: { nats, id } });
    workers.push(w);
    w.on('message', (m: { type: string; line?: string; run?: string | null }) => {
      if (m.type === 'log') log(`${id}: ${m.line}`);
      else if (m.type === 'run') runs.set(id, m.run ?? null);
      else if (m.type === 'ready') {
        runs.set(id, null);
        resolve();
      }
    });
    w.on('error', (e) => {
      runs.delete(id);
      failed ??= e;
      log(`${id}: stopped: ${e.message}`);
      reject(e);
    });
    w.on('exit', () => runs.delete(id));
  }));
  log(`starting ${threads} agent${threads > 1 ? 's' : ''} on ${redact(nats.url)}`);
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e instanceof ClusterError ? e : new ClusterError((e as Error).message);
  }
  const hb = await startHeartbeat(nats, () => [...runs].map(([id, run]) => ({ id, run })), log);
  log(`serving as ${[...runs.keys()].join(', ')}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    // Every agent worker gone (crashed): nothing left to serve.
    const watch = setInterval(() => {
      if (runs.size === 0 && !stopping) {
        clearInterval(watch);
        log(`no agent left${failed ? `: ${failed.message}` : ''}`);
        void hb.close().then(() => resolve(1));
      }
    }, 1000);
    const stop = async (signal: string) => {
      if (stopping) {
        log(`${signal} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      clearInterval(watch);
      log(`${signal}: draining`);
      const drained = Promise.all(workers.map((w) => new Promise<void>((r) => {
        w.once('exit', () => r());
        w.on('message', (m: { type: string }) => { if (m.type === 'drained') r(); });
        w.postMessage({ type: 'drain' });
      })));
      await Promise.race([drained, new Promise((r) => setTimeout(r, 15_000).unref())]);
      await hb.close();
      await Promise.all(workers.map((w) => w.terminate()));
      log('stopped');
      resolve(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
