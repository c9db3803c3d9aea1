// The NATS wire, shared by both sides: subjects, connecting, the run's object store, and
// bulk messages. Every NATS call of the project is in this folder (so a later client swap
// stays local): wire.ts here, driver.ts (the driver's side), agent.ts (one agent),
// host.ts (the `galdecon agent` process: its agents and heartbeats).
//
// Subjects (version first, so two protocol versions never meet):
//   galdecon.v5.hb                      agent processes' heartbeats, every second
//   galdecon.v5.discover                a driver asks every agent process to beat now
//   galdecon.v5.agent.<agent>.<run>     requests to one agent for one run; replies go to
//                                       the driver's inbox _INBOX.<nuid>.<seq>
//   galdecon.v5.lease.<run>             the driver's lease beats, every second
//   galdecon.v5.task.<run>              stream schedule: the run's partition tasks, on the
//                                       work-queue stream galdecon-q-<run> (JetStream,
//                                       retention workqueue), pulled by the agents through
//                                       its durable consumer `agents` (explicit ack)
// (v = PROTOCOL_VERSION: drivers and agents of different versions never meet)
// JetStream:
//   KV bucket galdecon-<run>            bulk messages, checkpoints, and (stream schedule)
//                                       the partitions' inputs in.<epoch>.<p>, results
//                                       x.<epoch>.<p>.<agent> and result records done.<p>
//                                       of one run (chunked: Objects)
//   KV bucket galdecon-runs, key <run>  the run record for --resume
//   KV bucket galdecon-locks, key <run> the lock of a run's driver (TTL: a dead driver's expires)
// Every message and stored object is sealed with the run's (or the heartbeat) key, or
// for objects the run's object key: see auth.ts. The server's roles (scripts/nats-server.sh) allow each side only its own
// subjects.
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
  connect, credsAuthenticator, StorageType,
  type ConnectionOptions, type KV, type NatsConnection,
} from 'nats';
import { ClusterError, ProtocolError } from '../../errors.ts';
import { PROTOCOL_VERSION, asBulkRef, encode } from '../protocol.ts';
import type { BlobStore } from '../transport.ts';
import { CONTEXT, OBJECT_HEADER, sealObject, unsealObject, type Keys } from './auth.ts';

export const PREFIX = `galdecon.v${PROTOCOL_VERSION}`;
export const SUBJECTS = {
  heartbeat: `${PREFIX}.hb`,
  discover: `${PREFIX}.discover`,
  agent: (agent: string, run: string) => `${PREFIX}.agent.${agent}.${run}`,
  lease: (run: string) => `${PREFIX}.lease.${run}`,
};
/** The stream schedule's work queue of a run (JetStream, retention workqueue): its stream, subject and the agents' consumer. */
export const QUEUE = {
  stream: (run: string) => `galdecon-q-${run}`,
  subject: (run: string) => `${PREFIX}.task.${run}`,
  consumer: 'agents',
};
export const RUNS_BUCKET = 'galdecon-runs';
export const LOCKS_BUCKET = 'galdecon-locks';
export const bucketOf = (run: string) => `galdecon-${run}`;

export const HEARTBEAT_MS = 1000;
/** A driver's run lock expires this long after its last renewal (it renews every beat). */
export const LOCK_TTL_MS = 10_000;
/** An agent releases a run whose driver it has not heard for this long (`galdecon agent --lease`). */
export const LEASE_MS = 15_000;
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
  /** The deployment's secret, from which run keys are derived (see auth.ts). */
  secret?: Uint8Array;
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

export async function open(o: NatsOptions, name: string, waitForServer = false): Promise<NatsConnection> {
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
export async function retrying<T>(what: string, f: () => Promise<T>, ms = 60_000): Promise<T> {
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** JetStream's "stream not found" (the bucket is gone, e.g. after a server lost its store). */
export function isMissingStream(e: unknown): boolean {
  return (e as { api_error?: { err_code?: number } })?.api_error?.err_code === 10059;
}

/**
 * A run's object store: a JetStream KV bucket where an object is stored as chunks of at
 * most one message (keys `<name>.c<i>`) and then a manifest (key `<name>`), so a reader
 * sees only complete objects. (JetStream's own object store hashes every byte with a
 * SHA-256 written in JavaScript, ≈ 80 MB/s: that made checkpoints cost more than the
 * iterations. Integrity here comes from the seal.) Objects are sealed with the run's
 * object key and their name: one that was altered, or moved from another name or run,
 * reads as missing. Opened lazily, reopened after errors.
 */
export class Objects implements BlobStore {
  private kv: Promise<KV> | undefined;
  private readonly key: Buffer;
  /** Bodies from `allocate`, with room in front for the seal. */
  private readonly framed = new WeakSet<Uint8Array>();
  constructor(private readonly nc: NatsConnection, keys: Keys, private readonly run: string, private readonly create: boolean) {
    this.key = keys.objects(run);
  }

  private get bucket(): string {
    return bucketOf(this.run);
  }

  private store(): Promise<KV> {
    this.kv ??= (async () => {
      if (this.create) return this.nc.jetstream().views.kv(this.bucket, { history: 1, storage: StorageType.File });
      // Agents never create buckets: only the run's driver does. A bound bucket reads
      // through the JSON (base64) message API unless told the stream allows direct gets,
      // which cost a fifth of the CPU (a 33 MB partition: 0.5 s → 0.1 s in the agent).
      const info = await (await this.nc.jetstreamManager()).streams.info(`KV_${this.bucket}`);
      return this.nc.jetstream().views.kv(this.bucket, { bindOnly: true, allow_direct: info.config.allow_direct === true });
    })();
    this.kv.catch(() => { this.kv = undefined; });
    return this.kv;
  }

  /** Runs `f` on the store; forgets the handle after an error (the next call reopens). */
  private async use<T>(f: (kv: KV) => Promise<T>): Promise<T> {
    const kv = await this.store();
    try {
      return await f(kv);
    } catch (e) {
      this.kv = undefined;
      throw e;
    }
  }

  /** Creates the bucket if it is missing (driver side; also after the server lost it). */
  async ensure(): Promise<void> {
    this.kv = undefined;
    await this.store();
  }

  /** The object's bytes; null if it is missing, incomplete, altered, or the bucket is gone. */
  async get(name: string): Promise<Uint8Array | null> {
    let sealed: Uint8Array | null;
    try {
      sealed = await this.use(async (kv) => {
        const m = await kv.get(name);
        if (!m || m.operation !== 'PUT') return null;
        const manifest = /^(\d{1,6}) (\d{1,12})$/.exec(new TextDecoder().decode(m.value));
        if (!manifest) return null;
        const [count, size] = [Number(manifest[1]), Number(manifest[2])];
        const out = new Uint8Array(size);
        let at = 0;
        for (let i = 0; i < count; i += WINDOW) {
          const parts = await Promise.all(Array.from({ length: Math.min(WINDOW, count - i) }, (_, k) => kv.get(`${name}.c${i + k}`)));
          for (const p of parts) {
            if (!p || p.operation !== 'PUT' || at + p.value.byteLength > size) return null;
            out.set(p.value, at);
            at += p.value.byteLength;
          }
        }
        return at === size ? out : null;
      });
    } catch (e) {
      if (isMissingStream(e)) return null;
      throw e;
    }
    if (!sealed) return null;
    return unsealObject(this.key, CONTEXT.object(this.run, name), sealed) ?? null;
  }

  /** A body of `bytes` bytes that `put` seals where it lies (no copy). */
  allocate(bytes: number): Uint8Array {
    const body = new Uint8Array(OBJECT_HEADER + bytes).subarray(OBJECT_HEADER);
    this.framed.add(body);
    return body;
  }

  /** The whole frame (room for the seal, then the body; its own ArrayBuffer) of a body from `allocate`. */
  frameOf(body: Uint8Array): Uint8Array | undefined {
    return this.framed.has(body) ? new Uint8Array(body.buffer) : undefined;
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    await this.putFrame(name, this.frameOf(bytes) ?? framed(bytes));
  }

  /** Stores `frame` (OBJECT_HEADER bytes of room, then the body), sealing it in place. */
  async putFrame(name: string, sealed: Uint8Array): Promise<void> {
    sealObject(this.key, CONTEXT.object(this.run, name), sealed);
    const chunk = (this.nc.info?.max_payload ?? 1 << 20) - HEADROOM;
    const count = Math.ceil(sealed.byteLength / chunk);
    await this.use(async (kv) => {
      for (let i = 0; i < count; i += WINDOW) {
        await Promise.all(Array.from({ length: Math.min(WINDOW, count - i) }, (_, k) =>
          kv.put(`${name}.c${i + k}`, sealed.subarray((i + k) * chunk, Math.min((i + k + 1) * chunk, sealed.byteLength)))));
      }
      await kv.put(name, new TextEncoder().encode(`${count} ${sealed.byteLength}`));
    });
  }

  async delete(name: string): Promise<void> {
    await this.use(async (kv) => {
      const m = await kv.get(name);
      const count = m && m.operation === 'PUT' ? Number(/^(\d{1,6}) /.exec(new TextDecoder().decode(m.value))?.[1] ?? 0) : 0;
      await kv.purge(name);
      for (let i = 0; i < count; i += WINDOW) {
        await Promise.all(Array.from({ length: Math.min(WINDOW, count - i) }, (_, k) => kv.purge(`${name}.c${i + k}`)));
      }
    });
  }

  /** Deletes every object whose name starts with `prefix` and a dot, in one request. */
  async deleteAll(prefix: string): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    await jsm.streams.purge(`KV_${this.bucket}`, { filter: `$KV.${this.bucket}.${prefix}.>` });
  }

  async destroy(): Promise<void> {
    await this.use((kv) => kv.destroy());
    this.kv = undefined;
  }

  /**
   * A small record (one key, no chunks; sealed like an object, with its name): its body
   * (undefined if it is not authentic) and revision; null if there is none.
   */
  async record(name: string): Promise<{ body?: Uint8Array; revision: number } | null> {
    const e = await this.use((kv) => kv.get(name));
    if (!e || e.operation !== 'PUT') return null;
    return { body: unsealObject(this.key, CONTEXT.object(this.run, name), e.value), revision: e.revision };
  }

  /**
   * Writes record `name` unless one is there already (KV create: of two writers, the
   * server lets exactly one win). A record that is there is replaced only if
   * `replaces(its body)` says so (undefined body: not authentic). True if ours was kept.
   */
  async claim(name: string, body: Uint8Array, replaces: (current: Uint8Array | undefined) => boolean): Promise<boolean> {
    const sealed = framed(body);
    sealObject(this.key, CONTEXT.object(this.run, name), sealed);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.use((kv) => kv.create(name, sealed));
        return true;
      } catch (e) {
        const current = await this.record(name);
        if (!current) {
          if (attempt >= 3) throw e;
          continue; // removed in between
        }
        if (!replaces(current.body)) return false;
        try {
          await this.use((kv) => kv.update(name, sealed, current.revision));
          return true;
        } catch {
          if (attempt >= 3) throw e;
        }
      }
    }
  }

  /** Removes record `name` if it is still at `revision`. */
  async drop(name: string, revision: number): Promise<void> {
    await this.use((kv) => kv.delete(name, { previousSeq: revision }));
  }

  /**
   * Records whose names match `filter` (NATS wildcards), as they are now and as they
   * change; `body` undefined: not authentic.
   */
  async watch(filter: string): Promise<AsyncIterable<{ name: string; body?: Uint8Array; revision: number }> & { stop(): void }> {
    const it = await this.use((kv) => kv.watch({ key: filter, ignoreDeletes: true }));
    const key = this.key;
    const run = this.run;
    return {
      stop: () => it.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const e of it) {
          if (e.operation !== 'PUT') continue;
          yield { name: e.key, body: unsealObject(key, CONTEXT.object(run, e.key), e.value), revision: e.revision };
        }
      },
    };
  }

  /** Names of the records matching `filter`. */
  async names(filter: string): Promise<string[]> {
    const out: string[] = [];
    await this.use(async (kv) => {
      for await (const k of await kv.keys(filter)) out.push(k);
    });
    return out;
  }
}

/** A copy of `body` with room in front for its seal. */
function framed(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(OBJECT_HEADER + body.byteLength);
  frame.set(body, OBJECT_HEADER);
  return frame;
}

/** Chunks in flight at once. */
const WINDOW = 16;

/** Bytes to send: inline, or stored under `name` with an envelope sent instead. */
export async function toWire(nc: NatsConnection, objects: Objects, run: string, name: string, bytes: Uint8Array): Promise<{ data: Uint8Array; stored: boolean }> {
  const max = (nc.info?.max_payload ?? 1 << 20) - HEADROOM;
  if (bytes.byteLength <= max) return { data: bytes, stored: false };
  await retrying('storing a large message', () => objects.put(name, bytes));
  return { data: encode({ v: PROTOCOL_VERSION, type: 'bulk', run, name, size: bytes.byteLength }), stored: true };
}

/** Received bytes: the message itself, or the object its envelope names. */
export async function fromWire(objects: (run: string) => Objects, bytes: Uint8Array, run: string): Promise<{ bytes: Uint8Array; ref?: string }> {
  const ref = asBulkRef(bytes);
  if (!ref) return { bytes };
  if (ref.run !== run) throw new ProtocolError(`bulk message of run ${ref.run} on the subject of run ${run}`);
  const data = await objects(run).get(ref.name);
  if (!data || data.byteLength !== ref.size) throw new ProtocolError(`bulk object ${ref.name} is missing or of the wrong size`);
  return { bytes: data, ref: ref.name };
}
