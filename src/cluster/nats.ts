// Everything that talks to NATS lives here (so a later client swap stays local).
//
// Subjects (version first, so two protocol versions never meet):
//   galdecon.v2.hb                      agent processes' heartbeats, every second
//   galdecon.v2.discover                a driver asks every agent process to beat now
//   galdecon.v2.agent.<agent>.<run>     requests to one agent for one run (request/reply)
// (v = PROTOCOL_VERSION: drivers and agents of different versions never meet)
// JetStream:
//   object store galdecon-<run>         bulk messages and checkpoints of one run
//   KV bucket galdecon-runs, key <run>  the run record for --resume
//
// Messages above the server's max_payload (minus headroom) never travel inline: the
// sender stores them as an object of the run's bucket and sends a small `bulk`
// envelope instead; the receiver fetches (and the driver deletes) the object.
//
// Liveness: the process that hosts agents beats from its main thread (never blocked by
// Wasm), so a silent agent is a dead or cut-off one. The driver rejects requests to an
// agent silent for LOST_AFTER_MS while the driver itself is connected; requests are
// retried on a timeout or a reconnect (agents recognise repeats: see agent.ts).

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  connect, credsAuthenticator, ErrorCode, StorageType,
  type ConnectionOptions, type KV, type NatsConnection, type ObjectStore,
} from 'nats';
import { ClusterError } from '../errors.ts';
import { Agent } from './agent.ts';
import {
  PROTOCOL_VERSION, ProtocolError, asBulkRef, decodeHeartbeat, encode, type Heartbeat,
} from './protocol.ts';
import type { AgentLink, BlobStore, RunStore, Transport } from './transport.ts';

const PREFIX = `galdecon.v${PROTOCOL_VERSION}`;
export const SUBJECTS = {
  heartbeat: `${PREFIX}.hb`,
  discover: `${PREFIX}.discover`,
  agent: (agent: string, run: string) => `${PREFIX}.agent.${agent}.${run}`,
};
const RUNS_BUCKET = 'galdecon-runs';
const bucketOf = (run: string) => `galdecon-${run}`;

export const HEARTBEAT_MS = 1000;
export const LOST_AFTER_MS = 5000;
/** Room left in a message for the subject, reply subject and headers. */
const HEADROOM = 16 << 10;

/** How to reach and authenticate to the server (all optional but the URL). */
export interface NatsOptions {
  url: string;
  user?: string;
  pass?: string;
  token?: string;
  /** Credentials file (JWT + nkey seed). */
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** The URL with any user:password@ replaced, for logs. */
export function redact(url: string): string {
  return url.replace(/\/\/[^/@,]*@/g, '//***@');
}

/** Server URLs without credentials, and the user:password or token some carried. */
function parseServers(url: string): { servers: string[]; user?: string; pass?: string; token?: string } {
  const out: { servers: string[]; user?: string; pass?: string; token?: string } = { servers: [] };
  for (const raw of url.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+:\/\/)([^/@]*)@(.*)$/i.exec(raw);
    if (!m) {
      out.servers.push(raw);
      continue;
    }
    out.servers.push(m[1] + m[3]);
    const [user, pass] = m[2].split(':').map(decodeURIComponent);
    if (pass === undefined) out.token ??= user;
    else {
      out.user ??= user;
      out.pass ??= pass;
    }
  }
  return out;
}

async function open(o: NatsOptions, name: string, waitForServer = false): Promise<NatsConnection> {
  const fromUrl = parseServers(o.url);
  o = { ...o, user: o.user ?? fromUrl.user, pass: o.pass ?? fromUrl.pass, token: o.token ?? fromUrl.token };
  const opts: ConnectionOptions = {
    servers: fromUrl.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 200,
    pingInterval: 5000,
    maxPingOut: 3,
    waitOnFirstConnect: waitForServer,
    timeout: 5000,
  };
  if (o.user !== undefined) opts.user = o.user;
  if (o.pass !== undefined) opts.pass = o.pass;
  if (o.token !== undefined) opts.token = o.token;
  try {
    if (o.creds !== undefined) opts.authenticator = credsAuthenticator(readFileSync(o.creds));
    if (o.tlsCa || o.tlsCert || o.tlsKey) opts.tls = { caFile: o.tlsCa, certFile: o.tlsCert, keyFile: o.tlsKey };
    return await connect(opts);
  } catch (e) {
    throw new ClusterError(`cannot connect to NATS at ${redact(o.url)}: ${(e as Error).message}`);
  }
}

/** Retries a JetStream call through a short outage (a server restart). */
async function retrying<T>(what: string, f: () => Promise<T>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw new ClusterError(`${what}: ${(e as Error).message}`);
      await sleep(500);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run's object store, opened lazily and reopened after errors. */
class Objects implements BlobStore {
  private os: Promise<ObjectStore> | undefined;
  constructor(private readonly nc: NatsConnection, private readonly bucket: string, private readonly create: boolean) {}

  private store(): Promise<ObjectStore> {
    this.os ??= (async () => {
      if (!this.create) {
        // Agents never create buckets: a message naming a run that does not exist fails here.
        const jsm = await this.nc.jetstreamManager();
        await jsm.streams.info(`OBJ_${this.bucket}`);
      }
      return this.nc.jetstream().views.os(this.bucket, { storage: StorageType.File });
    })();
    this.os.catch(() => { this.os = undefined; });
    return this.os;
  }

  /** Creates the bucket if it is missing (driver side). */
  async ensure(): Promise<void> {
    await this.store();
  }

  async get(name: string): Promise<Uint8Array | null> {
    const os = await this.store();
    return os.getBlob(name);
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    const os = await this.store();
    await os.putBlob({ name }, bytes);
  }

  async delete(name: string): Promise<void> {
    const os = await this.store();
    await os.delete(name);
  }

  async destroy(): Promise<void> {
    const os = await this.store();
    await os.destroy();
    this.os = undefined;
  }
}

/** Bytes to send: inline, or stored under `name` with an envelope sent instead. */
async function toWire(nc: NatsConnection, objects: Objects, run: string, name: string, bytes: Uint8Array): Promise<{ data: Uint8Array; stored: boolean }> {
  const max = (nc.info?.max_payload ?? 1 << 20) - HEADROOM;
  if (bytes.byteLength <= max) return { data: bytes, stored: false };
  await retrying('storing a large message', () => objects.put(name, bytes));
  return { data: encode({ v: PROTOCOL_VERSION, type: 'bulk', run, name, size: bytes.byteLength }), stored: true };
}

/** Received bytes: the message itself, or the object its envelope names. */
async function fromWire(objects: (run: string) => Objects, bytes: Uint8Array, run: string): Promise<{ bytes: Uint8Array; ref?: string }> {
  const ref = asBulkRef(bytes);
  if (!ref) return { bytes };
  if (ref.run !== run) throw new ProtocolError(`bulk message of run ${ref.run} on the subject of run ${run}`);
  const data = await objects(run).get(ref.name);
  if (!data || data.byteLength !== ref.size) throw new ProtocolError(`bulk object ${ref.name} is missing or of the wrong size`);
  return { bytes: data, ref: ref.name };
}

// ---------------------------------------------------------------------------------------
// Driver side

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

// ---------------------------------------------------------------------------------------
// Agent side

/** Logs one line per event. */
export type Log = (line: string) => void;

/**
 * Serves one agent (one Wasm instance) on its subjects, in a worker thread: requests are
 * handled one at a time in arrival order. Resolves once connected; `drain()` finishes
 * the requests already received, then closes.
 */
export async function serveAgent(o: NatsOptions, id: string, log: Log, onRun: (run: string | null) => void): Promise<{ drain(): Promise<void> }> {
  const nc = await open(o, `galdecon-agent-${id}`, true);
  const stores = new Map<string, Objects>();
  const objects = (run: string): Objects => {
    let s = stores.get(run);
    if (!s) {
      if (stores.size > 4) stores.clear();
      s = new Objects(nc, bucketOf(run), false);
      stores.set(run, s);
    }
    return s;
  };
  const agent = new Agent({ log, storeFor: objects });
  let run: string | null = null;
  let replies = 0;
  const sub = nc.subscribe(`${PREFIX}.agent.${id}.*`);
  const done = (async () => {
    for await (const msg of sub) {
      const subjectRun = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
      let reply: Uint8Array;
      try {
        const got = await fromWire(objects, msg.data, subjectRun);
        reply = await agent.handle(got.bytes, subjectRun);
        const wire = await toWire(nc, objects(subjectRun), subjectRun, `a.${id}.${++replies}`, reply);
        reply = wire.data;
      } catch (e) {
        log(`dropped a message: ${(e as Error).message}`);
        reply = encode({ v: PROTOCOL_VERSION, type: 'error', code: e instanceof ProtocolError ? 'E_PROTOCOL' : 'E_STORE', message: (e as Error).message });
      }
      if (msg.reply) msg.respond(reply);
      const now = agent.currentRun ?? null;
      if (now !== run) {
        log(now ? `joined run ${now}` : `left run ${run}`);
        run = now;
        onRun(run);
      }
    }
  })();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') log(`${s.type === 'disconnect' ? 'lost the server' : 'reconnected'}`);
    }
  })();
  return {
    async drain() {
      await nc.drain();
      await done;
      agent.reset();
    },
  };
}

/**
 * The heartbeat of an agent process, from its main thread: announces its agents and
 * their runs every second and whenever a driver asks.
 */
export async function startHeartbeat(o: NatsOptions, agents: () => Heartbeat['agents'], log: Log): Promise<{ close(): Promise<void> }> {
  const nc = await open(o, 'galdecon-agent-heartbeat', true);
  log(`connected to ${redact(o.url)}`);
  const beat = () => {
    if (nc.isClosed()) return;
    nc.publish(SUBJECTS.heartbeat, encode({ v: PROTOCOL_VERSION, type: 'hb', host: hostname(), pid: process.pid, agents: agents() }));
  };
  nc.subscribe(SUBJECTS.discover, { callback: () => beat() });
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
