// The driver's side of NATS: finds agents through their heartbeats, sends them requests
// (retried on timeouts and reconnects), notices silent agents, and holds the run's
// durable state (KV record for --resume, object store for bulk data and checkpoints).

import { ErrorCode, type KV, type NatsConnection } from 'nats';
import { ClusterError, ProtocolError } from '../../errors.ts';
import { decodeHeartbeat, type Heartbeat } from '../protocol.ts';
import type { AgentLink, RunStore, Transport } from '../transport.ts';
import {
  HEARTBEAT_MS, LOST_AFTER_MS, Objects, RUNS_BUCKET, SUBJECTS, bucketOf, fromWire, open, redact, retrying, sleep, toWire,
  type NatsOptions,
} from './wire.ts';

export interface NatsTransportOptions extends NatsOptions {
  /** How long to wait for agents at the start (ms). */
  waitAgentsMs: number;
  /** Wait for at least this many agents (default 1). */
  minAgents?: number;
  /** Use at most this many agents. */
  maxAgents?: number;
  lostAfterMs?: number;
  log?: (line: string) => void;
}

interface Seen {
  at: number;
  run: string | null;
}

class NatsLink implements AgentLink {
  private lostError: Error | undefined;
  private readonly waiting = new Set<(e: Error) => void>();
  private seq = 0;

  constructor(readonly id: string, private readonly t: NatsTransport) {}

  markLost(e: Error): void {
    this.lostError ??= e;
    for (const w of this.waiting) w(e);
    this.waiting.clear();
  }

  async request(bytes: Uint8Array, opts: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    const nc = this.t.conn();
    const run = this.t.runId();
    const objects = this.t.objects();
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    const wire = await toWire(nc, objects, run, `q.${this.id}.${++this.seq}`, bytes);
    const subject = SUBJECTS.agent(this.id, run);
    let attemptMs = 5000;
    try {
      for (;;) {
        if (this.lostError) throw this.lostError;
        let lost!: (e: Error) => void;
        const lostP = new Promise<never>((_, reject) => { lost = reject; });
        this.waiting.add(lost);
        const req = nc.request(subject, wire.data, { timeout: Math.min(attemptMs, Math.max(1, deadline - Date.now())) });
        req.catch(() => {});
        try {
          const msg = await Promise.race([req, lostP, this.t.reconnected()]);
          const got = await fromWire(() => objects, msg.data, run);
          if (got.ref) void objects.delete(got.ref).catch(() => {});
          return got.bytes;
        } catch (e) {
          if (e === this.lostError || e instanceof ProtocolError) throw e;
          const code = (e as { code?: string }).code;
          if (code === ErrorCode.ConnectionClosed) throw new ClusterError('the NATS connection is closed');
          if (Date.now() >= deadline) throw new ClusterError(`agent ${this.id}: no reply within ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`);
          // Timeout, no responders (agent reconnecting) or our reconnect: ask again.
          if (code === ErrorCode.Timeout) attemptMs = Math.min(attemptMs * 2, 60_000);
          else await sleep(200);
        } finally {
          this.waiting.delete(lost);
        }
      }
    } finally {
      if (wire.stored) void objects.delete(`q.${this.id}.${this.seq}`).catch(() => {});
    }
  }
}

/** The driver's side: finds agents through their heartbeats and talks to them. */
export class NatsTransport implements Transport {
  private nc: NatsConnection | undefined;
  private run: string | undefined;
  private runObjects: Objects | undefined;
  private kv: KV | undefined;
  private readonly seen = new Map<string, Seen>();
  private readonly links = new Map<string, NatsLink>();
  private connectedSince = Date.now();
  private connected = true;
  private onReconnect: { p: Promise<never>; reject: (e: Error) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly o: NatsTransportOptions) {
    this.log = o.log ?? (() => {});
  }

  heartbeats(): ReadonlyMap<string, number> {
    return new Map([...this.seen].map(([id, s]) => [id, s.at]));
  }

  conn(): NatsConnection {
    if (!this.nc) throw new ClusterError('the NATS transport is not connected');
    return this.nc;
  }

  runId(): string {
    if (!this.run) throw new ClusterError('no run is open');
    return this.run;
  }

  objects(): Objects {
    return (this.runObjects ??= new Objects(this.conn(), bucketOf(this.runId()), true));
  }

  /** A promise that rejects at our next reconnect (so pending requests are re-sent). */
  reconnected(): Promise<never> {
    if (!this.onReconnect) {
      let reject!: (e: Error) => void;
      const p = new Promise<never>((_, r) => { reject = r; });
      p.catch(() => {});
      this.onReconnect = { p, reject };
    }
    return this.onReconnect.p;
  }

  private async connect(): Promise<NatsConnection> {
    if (this.nc) return this.nc;
    const nc = await open(this.o, 'galdecon-driver');
    this.nc = nc;
    this.log(`connected to ${redact(this.o.url)}`);
    nc.subscribe(SUBJECTS.heartbeat, {
      callback: (_err, msg) => {
        let hb: Heartbeat;
        try {
          hb = decodeHeartbeat(msg.data);
        } catch {
          return; // not a heartbeat of this version: ignore
        }
        for (const a of hb.agents) this.seen.set(a.id, { at: Date.now(), run: a.run });
      },
    });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.log('lost the NATS server; reconnecting');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.connectedSince = Date.now();
          this.log(`reconnected to ${redact(String(s.data))}`);
          const r = this.onReconnect;
          this.onReconnect = undefined;
          r?.reject(new Error('reconnected'));
        }
      }
    })();
    const lostAfter = this.o.lostAfterMs ?? LOST_AFTER_MS;
    this.timer = setInterval(() => {
      if (!this.connected) return;
      const now = Date.now();
      for (const [id, link] of this.links) {
        const last = Math.max(this.seen.get(id)?.at ?? 0, this.connectedSince);
        if (now - last > lostAfter) {
          link.markLost(new ClusterError(`agent ${id} is silent (no heartbeat for ${Math.round((now - last) / 1000)} s)`));
        }
      }
    }, 250);
    this.timer.unref();
    return nc;
  }

  async openRun(run: string, fresh: boolean): Promise<RunStore> {
    const nc = await this.connect();
    this.run = run;
    const kv = (this.kv ??= await retrying('opening the run bucket', () => nc.jetstream().views.kv(RUNS_BUCKET, { history: 1 })));
    const objects = this.objects();
    if (fresh) {
      await kv.delete(run).catch(() => {});
      await objects.destroy().catch(() => {});
    }
    await retrying('creating the run bucket', () => objects.ensure());
    return {
      load: async () => (await retrying('reading the run state', () => kv.get(run)))?.value ?? null,
      save: async (record) => { await retrying('saving the run state', () => kv.put(run, record)); },
      objects,
    };
  }

  async endRun(run: string): Promise<void> {
    await this.kv?.delete(run).catch(() => {});
    await this.kv?.purge(run).catch(() => {});
    await this.runObjects?.destroy().catch(() => {});
  }

  /** Idle agents (or agents of this run) heard from recently, not in `exclude`. */
  private idle(exclude: ReadonlySet<string>): string[] {
    const now = Date.now();
    return [...this.seen].filter(([id, s]) => now - s.at < 2 * HEARTBEAT_MS + 500 && !exclude.has(id) && (s.run === null || s.run === this.run))
      .map(([id]) => id).sort();
  }

  private async gather(exclude: ReadonlySet<string>, min: number, waitMs: number): Promise<string[]> {
    const nc = await this.connect();
    const t0 = Date.now();
    nc.publish(SUBJECTS.discover);
    let ids: string[] = [];
    for (;;) {
      await sleep(100);
      ids = this.idle(exclude);
      if (ids.length >= min && Date.now() - t0 >= 300) break;
      if (Date.now() - t0 >= waitMs) break;
      if ((Date.now() - t0) % 2000 < 100) nc.publish(SUBJECTS.discover);
    }
    return ids.slice(0, this.o.maxAgents ?? ids.length);
  }

  private linksFor(ids: string[]): AgentLink[] {
    return ids.map((id) => {
      const l = new NatsLink(id, this);
      this.links.set(id, l);
      return l;
    });
  }

  async agents(): Promise<AgentLink[]> {
    const min = Math.max(1, this.o.minAgents ?? 1);
    const ids = await this.gather(new Set(), min, this.o.waitAgentsMs);
    const s = Math.round(this.o.waitAgentsMs / 1000);
    if (ids.length === 0) {
      throw new ClusterError(`no galdecon agent answered on ${redact(this.o.url)} within ${s} s (start some with \`galdecon agent --nats URL\`)`);
    }
    if (ids.length < min) this.log(`only ${ids.length} of the ${min} agents wanted answered within ${s} s; going on`);
    this.log(`found ${ids.length} agent${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}`);
    return this.linksFor(ids);
  }

  async replacements(exclude: ReadonlySet<string>, timeoutMs: number): Promise<AgentLink[]> {
    return this.linksFor(await this.gather(exclude, 1, timeoutMs));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const nc = this.nc;
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.close();
  }
}
