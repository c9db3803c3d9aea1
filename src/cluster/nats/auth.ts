// Message authentication within a deployment (see README, "Threat model").
//
// Drivers and agents of one deployment share a secret (GALDECON_SECRET or a file) that
// NATS neighbours do not have. From it each run gets its own key, HKDF-SHA256(secret,
// run id), and the agent processes a heartbeat key. Every message is sealed:
//
//   frame = version (1 byte) ‖ seq (8 bytes, big-endian) ‖ tag (32 bytes) ‖ body
//   tag   = HMAC-SHA256(key, context ‖ 0 ‖ seq ‖ body)
//
// The context names what the message is and where it goes (a request to agent A in run
// R, A's reply, a lease beat of R, object N of R, ...), so a sealed message cannot be
// moved to another subject, run or role. `seq` rises with every message a sender seals
// (it starts from the clock, so a restarted sender continues above its old values):
// receivers keep the last one they accepted and drop anything not above it (replays).
// Whatever fails a check is dropped before it is decoded: no reply, no state change.
//
// Stored objects (checkpoints and bulk messages, up to hundreds of MB) are sealed with
// GMAC instead (AES-256-GCM authenticating, not encrypting: ≈ 5 GB/s here, against
// ≈ 1.1 GB/s for HMAC-SHA256, which made sealing a large share of a checkpoint's cost),
// under a key of their own, with a random nonce per object:
//
//   object = version (1 byte) ‖ nonce (12 bytes) ‖ tag (16 bytes) ‖ body
//   tag    = GMAC(object key, nonce, context ‖ 0 ‖ body)
//
// The body is laid out by the writer after OBJECT_HEADER bytes of room, so sealing
// copies nothing.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomFillSync, timingSafeEqual } from 'node:crypto';

const VERSION = 3;
const HEADER = 1 + 8 + 32;
const OBJECT_VERSION = 4;
/** Bytes in front of an object's body: version, nonce, tag. */
export const OBJECT_HEADER = 1 + 12 + 16;

/** Keys of one deployment, derived from its secret. */
export class Keys {
  private readonly cache = new Map<string, Buffer>();
  readonly heartbeat: Buffer;

  /** `secret` undefined: a public key (integrity against junk only; see `authenticated`). */
  constructor(private readonly secret: Uint8Array | undefined) {
    this.heartbeat = this.derive('galdecon heartbeat');
  }

  /** Whether the keys come from a real secret (otherwise anyone can seal). */
  get authenticated(): boolean {
    return this.secret !== undefined;
  }

  /** The key of run `run` (its messages and record). */
  run(run: string): Buffer {
    return this.cached(`galdecon run ${run}`);
  }

  /** The key of run `run`'s stored objects. */
  objects(run: string): Buffer {
    return this.cached(`galdecon objects ${run}`);
  }

  private cached(info: string): Buffer {
    let k = this.cache.get(info);
    if (!k) {
      if (this.cache.size >= 256) this.cache.clear();
      k = this.derive(info);
      this.cache.set(info, k);
    }
    return k;
  }

  private derive(info: string): Buffer {
    const ikm = this.secret ?? new Uint8Array(32);
    return Buffer.from(hkdfSync('sha256', ikm, 'galdecon-v3', info, 32));
  }
}

/** Contexts: what a sealed message is, and for whom. */
export const CONTEXT = {
  request: (agent: string, run: string) => `req ${agent} ${run}`,
  reply: (agent: string, run: string) => `rep ${agent} ${run}`,
  lease: (run: string) => `lease ${run}`,
  object: (run: string, name: string) => `obj ${run} ${name}`,
  lock: (run: string) => `lock ${run}`,
  record: (run: string) => `record ${run}`,
  task: (run: string) => `task ${run}`,
  heartbeat: 'hb',
};

function tag(key: Buffer, context: string, seqBytes: Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(context).update(Uint8Array.of(0)).update(seqBytes).update(body).digest();
}

export function seal(key: Buffer, context: string, seq: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + body.byteLength);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  view.setBigUint64(1, BigInt(seq));
  out.set(tag(key, context, out.subarray(1, 9), body), 9);
  out.set(body, HEADER);
  return out;
}

/** The body and seq of a sealed frame, or undefined if it is not authentic. */
export function unseal(key: Buffer, context: string, frame: Uint8Array): { seq: number; body: Uint8Array } | undefined {
  if (!(frame instanceof Uint8Array) || frame.byteLength < HEADER || frame[0] !== VERSION) return undefined;
  const body = frame.subarray(HEADER);
  const want = tag(key, context, frame.subarray(1, 9), body);
  if (!timingSafeEqual(want, frame.subarray(9, HEADER))) return undefined;
  const seq = Number(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getBigUint64(1));
  return { seq, body };
}

/** Seals an object in place: `frame` holds its body after OBJECT_HEADER bytes of room. */
export function sealObject(key: Buffer, context: string, frame: Uint8Array): void {
  frame[0] = OBJECT_VERSION;
  const nonce = frame.subarray(1, 13);
  randomFillSync(nonce);
  const gmac = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  authenticate(gmac, context, frame);
  gmac.final();
  frame.set(gmac.getAuthTag(), 13);
}

/** The body of a sealed object, or undefined if it is not authentic. */
export function unsealObject(key: Buffer, context: string, frame: Uint8Array): Uint8Array | undefined {
  if (!(frame instanceof Uint8Array) || frame.byteLength < OBJECT_HEADER || frame[0] !== OBJECT_VERSION) return undefined;
  const gmac = createDecipheriv('aes-256-gcm', key, frame.subarray(1, 13), { authTagLength: 16 });
  gmac.setAuthTag(frame.subarray(13, OBJECT_HEADER));
  authenticate(gmac, context, frame);
  try {
    gmac.final();
  } catch {
    return undefined;
  }
  return frame.subarray(OBJECT_HEADER);
}

/** What an object's tag covers: its context, a 0, and its body (GCM takes its AAD in pieces). */
function authenticate(gmac: { setAAD(b: Uint8Array): unknown }, context: string, frame: Uint8Array): void {
  gmac.setAAD(Buffer.from(`${context}\0`));
  gmac.setAAD(frame.subarray(OBJECT_HEADER));
}

/** The seq a frame claims (unauthenticated: only to route it before `unseal`). */
export function claimedSeq(frame: Uint8Array): number | undefined {
  if (frame.byteLength < HEADER || frame[0] !== VERSION) return undefined;
  return Number(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getBigUint64(1));
}

/** Rising sequence numbers, from the clock (µs) so that a restarted sender stays above its past. */
export class Sequence {
  private last = 0;
  next(): number {
    this.last = Math.max(this.last + 1, Date.now() * 1000);
    return this.last;
  }
}

/** Last accepted seq per sender (bounded): anything not above it is a replay. */
export class ReplayGuard {
  private readonly last = new Map<string, number>();
  constructor(private readonly max = 4096) {}

  /** Accepts `seq` from `sender` if it is new; records it. */
  accept(sender: string, seq: number): boolean {
    const prev = this.last.get(sender) ?? 0;
    if (seq <= prev) return false;
    this.last.delete(sender);
    if (this.last.size >= this.max) this.last.delete(this.last.keys().next().value!);
    this.last.set(sender, seq);
    return true;
  }
}

/**
 * Counts dropped messages and logs at most one line per `everyMs`, with the count and
 * the reason: never the message itself.
 */
export class DropLog {
  private count = 0;
  private lastLine = 0;
  private latest = '';
  constructor(
    private readonly log: (line: string) => void,
    private readonly line = (n: number, latest: string) => `dropped ${n} message${n > 1 ? 's' : ''} (latest: ${latest})`,
    private readonly everyMs = 5000,
  ) {}

  drop(reason: string): void {
    this.count++;
    this.latest = reason;
    const now = Date.now();
    if (now - this.lastLine < this.everyMs) return;
    this.lastLine = now;
    this.flush();
  }

  /** Logs the drops not logged yet (at the end of a run or of the process). */
  flush(): void {
    if (this.count === 0) return;
    this.log(this.line(this.count, this.latest));
    this.count = 0;
  }
}
