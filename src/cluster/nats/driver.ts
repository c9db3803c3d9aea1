// The driver's side of NATS: finds agents through their (sealed) heartbeats, sends them
// sealed requests and accepts only their sealed replies (retrying on timeouts and
// reconnects), notices silent agents, beats the run's lease, holds the run's lock, and
// keeps the run's durable state (KV record for --resume, object store for bulk data and
// checkpoints), re-creating it if the server lost its store.
//
// Replies come to one inbox per driver, _INBOX.<nuid>.<seq>, seq being the request's:
// a reply is accepted only for a pending request, and only if sealed by that agent for
// that run and seq. Anything else is dropped without effect (see auth.ts).

import { randomBytes } from 'node:crypto';
import { createInbox, type KV, type Msg, type NatsConnection } from 'nats';
import { ClusterError, ProtocolError, StoreError } from '../../errors.ts';
import { decodeHeartbeat, type Heartbeat } from '../protocol.ts';
import type { AgentLink, PartitionQueue, RunStore, Transport } from '../transport.ts';
import { JetStreamQueue } from './queue.ts';
import { CONTEXT, DropLog, Keys, ReplayGuard, Sequence, seal, unseal } from './auth.ts';
import {
  HEARTBEAT_MS, LOCKS_BUCKET, LOCK_TTL_MS, LOST_AFTER_MS, Objects, QUEUE, RUNS_BUCKET, SUBJECTS, fromWire, isMissingStream,
  open, redact, retrying, sleep, toWire, type NatsOptions,
} from './wire.ts';

export interface NatsTransportOptions extends NatsOptions {
  /** How long to wait for agents at the start, or when none is left (ms), if none is heard at all. */
  waitAgentsMs: number;
  /** Wait for at least this many agents (default 1). */
  minAgents?: number;
  /** Use at most this many agents. */
  maxAgents?: number;
  lostAfterMs?: number;
  /** Stream schedule: how long a task may go without an agent's progress signal before JetStream gives it to another agent (ms). */
  ackWaitMs?: number;
  log?: (line: string) => void;
}

interface Seen {
  at: number;
  run: string | null;
}

/** A request awaiting its reply (every attempt's seq points here). */
interface Pending {
  agent: string;
  run: string;
  resolve: (body: Uint8Array) => void;
  /** No agent subscribed: the attempt failed at once. */
  noResponders: () => void;
}

class Retry extends Error {}

class NatsLink implements AgentLink {
  private lostError: Error | undefined;
  private readonly waiting = new Set<(e: Error) => void>();

  constructor(readonly id: string, private readonly t: NatsTransport) {}

  markLost(e: Error): void {
    this.lostError ??= e;
    for (const w of this.waiting) w(e);
    this.waiting.clear();
  }

  async request(bytes: Uint8Array, opts: { timeoutMs?: number; patient?: boolean } = {}): Promise<Uint8Array> {
    const t = this.t;
    const nc = t.conn();
    const run = t.runId();
    const objects = t.objects();
    const key = t.keys.run(run);
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    const name = `q.${this.id}.${t.seqs.next()}`;
    const wire = await toWire(nc, objects, run, name, bytes);
    const subject = SUBJECTS.agent(this.id, run);
    const seqs: number[] = [];
    let answer: Uint8Array | undefined;
    let resolve!: (b: Uint8Array) => void;
    const replied = new Promise<Uint8Array>((r) => { resolve = r; });
    void replied.then((b) => { answer = b; });
    const finish = async (body: Uint8Array): Promise<Uint8Array> => {
      const got = await fromWire(() => objects, body, run);
      if (got.ref) void objects.delete(got.ref).catch(() => {});
      return got.bytes;
    };
    // A partition solved whole (stream schedule) is not re-sent while it runs: a dead agent is noticed by its heartbeats.
    let attemptMs = opts.patient ? Math.max(5000, deadline - Date.now()) : 5000;
    try {
      for (;;) {
        // A reply to an earlier attempt is as good as any.
        if (answer) return await finish(answer);
        if (this.lostError) throw this.lostError;
        let fail!: (e: Error) => void;
        const failed = new Promise<never>((_, reject) => { fail = reject; });
        this.waiting.add(fail);
        const seq = t.seqs.next();
        seqs.push(seq);
        t.pending.set(seq, { agent: this.id, run, resolve, noResponders: () => fail(new Retry('no responders')) });
        const ms = Math.min(attemptMs, Math.max(1, deadline - Date.now()));
        const timer = setTimeout(() => fail(new Retry('timeout')), ms);
        nc.publish(subject, seal(key, CONTEXT.request(this.id, run), seq, wire.data), { reply: `${t.inbox}.${seq}` });
        try {
          return await finish(await Promise.race([replied, failed, t.reconnected()]));
        } catch (e) {
          if (e === this.lostError || e instanceof ProtocolError) throw e;
          if (nc.isClosed()) throw new ClusterError('the NATS connection is closed');
          if (Date.now() >= deadline) throw new ClusterError(`agent ${this.id}: no reply within ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`);
          // Timeout, no responders (agent reconnecting; anyone can forge that one, so it
          // only makes us ask again, and a reply meanwhile still wins) or our reconnect.
          if ((e as Error).message === 'timeout') attemptMs = Math.min(attemptMs * 2, 60_000);
          else await Promise.race([replied, sleep(200)]);
        } finally {
          clearTimeout(timer);
          this.waiting.delete(fail);
        }
      }
    } finally {
      for (const s of seqs) t.pending.delete(s);
      if (wire.stored) void objects.delete(name).catch(() => {});
    }
  }
}

/** The driver's side: finds agents through their heartbeats and talks to them. */
export class NatsTransport implements Transport {
  readonly keys: Keys;
  readonly seqs = new Sequence();
  readonly pending = new Map<number, Pending>();
  inbox = '';
  private nc: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  /** When `discover()` asked every agent to beat (gather's wait counts from there). */
  private discoveredAt: number | undefined;
  private run: string | undefined;
  private runObjects: Objects | undefined;
  private kv: KV | undefined;
  private locks: KV | undefined;
  private lockRev = 0;
  private readonly owner = randomBytes(12);
  private readonly seen = new Map<string, Seen>();
  private readonly links = new Map<string, NatsLink>();
  private readonly beats = new ReplayGuard();
  private readonly drops: DropLog;
  private connectedSince = Date.now();
  private connected = true;
  private onReconnect: { p: Promise<never>; reject: (e: Error) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly o: NatsTransportOptions) {
    this.log = o.log ?? (() => {});
    this.keys = new Keys(o.secret);
    this.drops = new DropLog(this.log);
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
    return (this.runObjects ??= new Objects(this.conn(), this.keys, this.runId(), true));
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

  private connect(): Promise<NatsConnection> {
    if (this.nc) return Promise.resolve(this.nc);
    // One connection, however many callers ask at once; a failed attempt is not kept.
    this.connecting ??= this.opened().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  discover(): void {
    this.connect().then((nc) => {
      nc.publish(SUBJECTS.discover);
      this.discoveredAt ??= Date.now();
    }, () => {}); // openRun or agents() connects again, and reports the failure
  }

  private async opened(): Promise<NatsConnection> {
    const nc = await open(this.o, 'galdecon-driver');
    this.nc = nc;
    this.log(`connected to ${redact(this.o.url)}`);
    if (!this.keys.authenticated) {
      this.log('warning: no deployment secret (GALDECON_SECRET or --secret-file): anyone who can reach the galdecon subjects can forge messages');
    }
    this.inbox = createInbox();
    nc.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.onReply(msg) });
    nc.subscribe(SUBJECTS.heartbeat, { callback: (_err, msg) => this.onHeartbeat(msg) });
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

  private onReply(msg: Msg): void {
    const seq = Number(msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
    const p = this.pending.get(seq);
    if (!p) return this.drops.drop('a reply to no pending request');
    if (msg.data.byteLength === 0 && msg.headers?.code === 503) return p.noResponders();
    const got = unseal(this.keys.run(p.run), CONTEXT.reply(p.agent, p.run), msg.data);
    if (!got || got.seq !== seq) return this.drops.drop(`a reply for agent ${p.agent} that is not authentic`);
    p.resolve(got.body);
  }

  private onHeartbeat(msg: Msg): void {
    const got = unseal(this.keys.heartbeat, CONTEXT.heartbeat, msg.data);
    if (!got) return this.drops.drop('a heartbeat that is not authentic');
    let hb: Heartbeat;
    try {
      hb = decodeHeartbeat(got.body);
    } catch {
      return this.drops.drop('a malformed heartbeat');
    }
    if (!this.beats.accept(`${hb.host}/${hb.pid}`, got.seq)) return this.drops.drop('a replayed heartbeat');
    for (const a of hb.agents) this.seen.set(a.id, { at: Date.now(), run: a.run });
  }

  /**
   * Opens run `run`: takes its lock (waiting for it with `wait`, else failing at once if
   * another driver holds it), then its durable state (`fresh` discards an old one), and
   * starts beating its lease.
   */
  async openRun(run: string, fresh: boolean, wait = false): Promise<RunStore> {
    const nc = await this.connect();
    this.run = run;
    await this.lock(run, wait);
    const key = this.keys.run(run);
    const objects = this.objects();
    const kv = async (): Promise<KV> => (this.kv ??= await retrying('opening the run bucket', () => nc.jetstream().views.kv(RUNS_BUCKET, { history: 1 })));
    if (fresh) {
      await (await kv()).delete(run).catch(() => {});
      await objects.destroy().catch(() => {});
    }
    await retrying('creating the run bucket', () => objects.ensure());
    this.leaseTimer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.leaseTimer.unref();
    this.beat();
    return {
      load: async () => {
        const e = await retrying('reading the run state', async () => (await kv()).get(run));
        if (!e || e.value.byteLength === 0) return null;
        const got = unseal(key, CONTEXT.record(run), e.value);
        if (!got) this.log(`warning: the saved state of run ${run} is not authentic; ignoring it`);
        return got?.body ?? null;
      },
      save: async (record) => {
        const sealed = seal(key, CONTEXT.record(run), this.seqs.next(), record);
        try {
          await retrying('saving the run state', async () => {
            try {
              await (await kv()).put(run, sealed);
            } catch (e) {
              this.kv = undefined; // the bucket may be gone (server store lost): re-create it
              throw e;
            }
          }, 10_000);
        } catch (e) {
          throw new StoreError((e as Error).message);
        }
      },
      objects,
      ensure: () => objects.ensure(),
    };
  }

  /** The run's lease beat: agents holding the run keep it while they hear this. */
  private beat(): void {
    const nc = this.nc;
    if (!nc || nc.isClosed() || !this.run) return;
    nc.publish(SUBJECTS.lease(this.run), seal(this.keys.run(this.run), CONTEXT.lease(this.run), this.seqs.next(), new Uint8Array(0)));
    if (this.lockRev > 0) void this.refreshLock(this.run);
  }

  private async lockBucket(): Promise<KV> {
    return (this.locks ??= await retrying('opening the lock bucket', () => this.conn().jetstream().views.kv(LOCKS_BUCKET, { history: 1, ttl: LOCK_TTL_MS })));
  }

  private lockValue(run: string): Uint8Array {
    return seal(this.keys.run(run), CONTEXT.lock(run), this.seqs.next(), this.owner);
  }

  /** Takes the run's lock (KV create: only one driver gets it; it expires with its driver). */
  private async lock(run: string, wait: boolean): Promise<void> {
    let said = false;
    for (;;) {
      const kv = await this.lockBucket();
      try {
        this.lockRev = await kv.create(run, this.lockValue(run));
        return;
      } catch (e) {
        if (isMissingStream(e)) this.locks = undefined;
      }
      const held = await kv.get(run).catch(() => null);
      if (held && held.operation === 'PUT' && held.value.byteLength > 0) {
        if (!unseal(this.keys.run(run), CONTEXT.lock(run), held.value)) {
          // Only the run's parties can seal its lock: a forged one is taken over.
          this.log(`the lock of run ${run} is not authentic; taking it over`);
          try {
            this.lockRev = await kv.update(run, this.lockValue(run), held.revision);
            return;
          } catch {
            continue;
          }
        }
        if (!wait) {
          throw new ClusterError(`run ${run} is already running: another driver holds it (wait for it to end, or add --resume to wait and then continue it)`);
        }
        if (!said) this.log(`run ${run} is held by another driver; waiting for it to end`);
        said = true;
      }
      await sleep(500);
    }
  }

  /** A lock renewal in flight (the lease beat starts one a second). */
  private refreshing: Promise<void> | undefined;
  /** Set while the lock is being let go: no renewal may re-take it then. */
  private unlocking = false;

  /** Renews the lock before its TTL; re-takes it if the server lost it. */
  private refreshLock(run: string): Promise<void> {
    if (this.refreshing || this.unlocking) return this.refreshing ?? Promise.resolve();
    this.refreshing = (async () => {
      try {
        const kv = await this.lockBucket();
        this.lockRev = await kv.update(run, this.lockValue(run), this.lockRev);
      } catch (e) {
        if (isMissingStream(e)) this.locks = undefined;
        try {
          const kv = await this.lockBucket();
          const held = await kv.get(run);
          if (this.unlocking) return; // the run ended meanwhile: its lock stays let go
          if (!held || held.operation !== 'PUT') this.lockRev = await kv.create(run, this.lockValue(run));
          else if (!Buffer.from(held.value.subarray(-this.owner.length)).equals(this.owner)) {
            this.log(`warning: another driver took the lock of run ${run}`);
          }
        } catch {
          // The server is away: the next beat tries again.
        }
      }
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  /**
   * Lets the run's lock go, after any renewal in flight (one landing after the delete
   * would leave the lock held, or re-take it, until its TTL: a rerun of the same run at
   * once would then be refused as "already running").
   */
  private async unlock(run: string): Promise<void> {
    if (this.lockRev === 0) return;
    this.unlocking = true;
    try {
      await this.refreshing;
      const rev = this.lockRev;
      this.lockRev = 0;
      await this.locks?.delete(run, { previousSeq: rev }).catch(() => {});
    } finally {
      this.unlocking = false;
    }
  }

  async endRun(run: string): Promise<void> {
    await this.kv?.delete(run).catch(() => {});
    await this.kv?.purge(run).catch(() => {});
    await this.runObjects?.destroy().catch(() => {});
    if (this.queueOpened) await (await this.conn().jetstreamManager()).streams.delete(QUEUE.stream(run)).catch(() => {});
  }

  private queueOpened = false;

  /** The run's JetStream work queue (stream schedule); see queue.ts. */
  async workQueue(run: string, resume: boolean): Promise<PartitionQueue> {
    this.queueOpened = true;
    return JetStreamQueue.open(this, run, resume, { ackWaitMs: this.o.ackWaitMs, waitAgentsMs: this.o.waitAgentsMs, log: this.log });
  }

  /** Agents whose recent heartbeats say they serve `run`. */
  serving(run: string): Set<string> {
    const now = Date.now();
    return new Set([...this.seen].filter(([, s]) => s.run === run && now - s.at < 2 * HEARTBEAT_MS + 500).map(([id]) => id));
  }

  /** Agents heard from recently, not in `exclude`: idle (or in this run), and busy with other runs. */
  private heard(exclude: ReadonlySet<string>): { idle: string[]; busy: number } {
    const now = Date.now();
    const idle: string[] = [];
    let busy = 0;
    for (const [id, s] of this.seen) {
      if (now - s.at >= 2 * HEARTBEAT_MS + 500 || exclude.has(id)) continue;
      if (s.run === null || s.run === this.run) idle.push(id);
      else busy++;
    }
    return { idle: idle.sort(), busy };
  }

  /**
   * Idle agents, at least `min` if they come within `waitMs`. Agents busy with other runs
   * are "not yet": while any is heard and none is idle, the wait goes on (the scheduling
   * policy: first come, first served, one run per agent; leases end dead drivers' runs).
   */
  private async gather(exclude: ReadonlySet<string>, min: number, waitMs: number): Promise<string[]> {
    const nc = await this.connect();
    const t0 = Date.now();
    // Agents' answers to an earlier discover() (the run's first gather) have had time to come.
    const asked = this.discoveredAt ?? t0;
    if (this.discoveredAt === undefined) nc.publish(SUBJECTS.discover);
    this.discoveredAt = undefined;
    let saidBusy = false;
    let ids: string[] = [];
    for (let round = 1; ; round++) {
      await sleep(100);
      const h = this.heard(exclude);
      ids = h.idle;
      const waited = Date.now() - t0;
      if (ids.length >= min && Date.now() - asked >= 300) break;
      if (waited >= waitMs && (ids.length > 0 || h.busy === 0)) break;
      if (ids.length === 0 && h.busy > 0 && Date.now() - asked >= 300 && !saidBusy) {
        saidBusy = true;
        this.log(`${h.busy} agent${h.busy > 1 ? 's are' : ' is'} busy with other runs; waiting for one`);
      }
      if (round % 20 === 0) nc.publish(SUBJECTS.discover);
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
    if (ids.length < min) {
      throw new ClusterError(`only ${ids.length} of the ${min} agents asked for (--min-agents) answered on ${redact(this.o.url)} within ${s} s; start more agents or lower --min-agents`);
    }
    this.log(`found ${ids.length} agent${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}`);
    return this.linksFor(ids);
  }

  async replacements(exclude: ReadonlySet<string>, timeoutMs: number): Promise<AgentLink[]> {
    return this.linksFor(await this.gather(exclude, 1, timeoutMs));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    await this.connecting?.catch(() => {}); // a discover() still connecting: closed below
    const nc = this.nc;
    this.drops.flush();
    if (this.run) await this.unlock(this.run);
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.close();
  }
}
