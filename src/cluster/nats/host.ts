// The `galdecon agent` process: `threads` agents, each in a worker thread with its own
// NATS connection and Wasm instance (agent-worker.ts), and from the main thread (never
// blocked by Wasm) the process's heartbeat, so a busy agent is never taken for a dead
// one, and its agents' checkpoint uploads, so a checkpoint is stored while they compute
// (in their own threads, an upload would only move between two of their steps).
// stop() drains: requests already received are finished, then everything closes.

import { Worker } from 'node:worker_threads';
import { hostname } from 'node:os';
import { ClusterError } from '../../errors.ts';
import { PROTOCOL_VERSION, encode, type Heartbeat } from '../protocol.ts';
import { CONTEXT, Keys, Sequence, seal } from './auth.ts';
import { HEARTBEAT_MS, Objects, SUBJECTS, open, redact, type NatsOptions } from './wire.ts';
import type { AgentServeOptions, Log } from './agent.ts';

const ENTRY = new URL('./agent-entry.mjs', import.meta.url);

export interface AgentHost {
  /** The agents' ids. */
  readonly ids: string[];
  /** Resolves with an exit code when every agent is gone (1) or after stop() (0). */
  readonly done: Promise<number>;
  /** Drains the agents (finishing requests in hand, at most `graceMs`), then closes. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `threads` agents and the heartbeat; resolves once all of them serve. `worker`:
 * another entry module for the agents' threads (one that calls agent-worker.ts's
 * startAgentWorker with hooks), and data it reads from workerData.data.
 */
export async function hostAgents(
  nats: NatsOptions, threads: number, log: Log, opts: AgentServeOptions = {}, worker?: { entry: URL; data?: unknown },
): Promise<AgentHost> {
  const base = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${process.pid}`;
  const runs = new Map<string, string | null>();
  const workers: Worker[] = [];
  let failed: Error | undefined;
  const store = await startUploads(nats);
  const ready = Array.from({ length: threads }, (_, k) => new Promise<void>((resolve, reject) => {
    const id = `${base}-${k}`;
    const w = new Worker(worker?.entry ?? ENTRY, { workerData: { nats, id, opts, data: worker?.data } });
    workers.push(w);
    w.on('message', (m: { type: string; line?: string; run?: string | null; id?: number; name?: string; frame?: Uint8Array }) => {
      if (m.type === 'log') log(`${id}: ${m.line}`);
      else if (m.type === 'upload') {
        void store.put(m.run!, m.name!, m.frame!).then(
          () => w.postMessage({ type: 'uploaded', id: m.id }),
          (e: Error) => w.postMessage({ type: 'uploaded', id: m.id, error: e.message }),
        );
      }
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
  if (nats.secret === undefined) {
    log('warning: no deployment secret (GALDECON_SECRET or --secret-file): anyone who can reach the galdecon subjects can forge messages');
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    await store.close();
    throw e instanceof ClusterError ? e : new ClusterError((e as Error).message);
  }
  const hb = await startHeartbeat(nats, () => [...runs].map(([id, run]) => ({ id, run })), log);
  const ids = [...runs.keys()];

  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => { finish = r; });
  let stopping = false;
  // Every agent worker gone (crashed): nothing left to serve.
  const watch = setInterval(() => {
    if (runs.size === 0 && !stopping) {
      clearInterval(watch);
      log(`no agent left${failed ? `: ${failed.message}` : ''}`);
      void hb.close().then(() => store.close()).then(() => finish(1));
    }
  }, 1000);
  return {
    ids,
    done,
    async stop(graceMs = 15_000) {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      const drained = Promise.all(workers.map((w) => new Promise<void>((r) => {
        w.once('exit', () => r());
        w.on('message', (m: { type: string }) => { if (m.type === 'drained') r(); });
        w.postMessage({ type: 'drain' });
      })));
      await Promise.race([drained, new Promise((r) => setTimeout(r, graceMs).unref())]);
      await hb.close();
      await Promise.all(workers.map((w) => w.terminate()));
      await store.close();
      finish(0);
    },
  };
}

/**
 * The agents' checkpoint uploads: a connection of their own, and each run's object store.
 * An upload in flight when the connection drops fails then (what it wrote may be lost
 * with the server), rather than at a JetStream timeout.
 */
async function startUploads(o: NatsOptions): Promise<{ put(run: string, name: string, frame: Uint8Array): Promise<void>; close(): Promise<void> }> {
  const nc = await open(o, 'galdecon-agent-store', true);
  const keys = new Keys(o.secret);
  const stores = new Map<string, Objects>();
  const dropped = () => {
    let reject!: (e: Error) => void;
    const p = new Promise<never>((_, r) => { reject = r; });
    p.catch(() => {});
    return { p, reject };
  };
  let drop = dropped();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type !== 'disconnect') continue;
      drop.reject(new Error('lost the server during the upload'));
      drop = dropped();
    }
  })();
  return {
    put(run, name, frame) {
      let s = stores.get(run);
      if (!s) {
        if (stores.size > 16) stores.clear();
        s = new Objects(nc, keys, run, false);
        stores.set(run, s);
      }
      return Promise.race([s.putFrame(name, frame), drop.p]);
    },
    async close() {
      if (!nc.isClosed()) await nc.close();
    },
  };
}

/**
 * The heartbeat of an agent process, from its main thread: announces its agents and
 * their runs every second and whenever a driver asks.
 */
async function startHeartbeat(o: NatsOptions, agents: () => Heartbeat['agents'], log: Log): Promise<{ close(): Promise<void> }> {
  const nc = await open(o, 'galdecon-agent-heartbeat', true);
  log(`connected to ${redact(o.url)}`);
  const key = new Keys(o.secret).heartbeat;
  const seqs = new Sequence();
  let last = 0;
  const beat = () => {
    if (nc.isClosed()) return;
    last = Date.now();
    const msg: Heartbeat = { v: PROTOCOL_VERSION, type: 'hb', host: hostname(), pid: process.pid, agents: agents() };
    nc.publish(SUBJECTS.heartbeat, seal(key, CONTEXT.heartbeat, seqs.next(), encode(msg)));
  };
  // Anyone may ask for a beat (discover is not sealed): at most one extra beat per 200 ms.
  nc.subscribe(SUBJECTS.discover, { callback: () => { if (Date.now() - last >= 200) beat(); } });
  const timer = setInterval(beat, HEARTBEAT_MS);
  beat();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') log('lost the NATS server; reconnecting');
      if (s.type === 'reconnect') {
        log(`reconnected to ${redact(String(s.data))}`);
        beat();
      }
    }
  })();
  return {
    async close() {
      clearInterval(timer);
      if (!nc.isClosed()) await nc.close();
    },
  };
}
