// The driver–agent protocol: typed, versioned messages encoded with msgpackr, and a
// defensive decoder that checks size and schema before anything acts on a message.
//
//   driver → agent: assign, step, reweight, collect, release (and ping); for recovery:
//                   checkpoint, restore, replay; for the live view: sample; for the
//                   stream schedule: solve, or (over a work queue) join; for the
//                   low-rank prior: project
//   agent → driver: ok, stepped, collected, sampled, solved, error
//
// Every request names its run; per-iteration messages carry only scalars. Requests that
// change a partition carry `op`, the index of that operation in the run's history, so a
// retried request is recognised and answered again instead of being applied twice.
//
// Also here, for network transports: snapshots (checkpoint objects), bulk envelopes (a
// message too large for one NATS message, stored as an object) and heartbeats.

import { Packr } from 'msgpackr';
import { ProtocolError } from '../errors.ts';
import type { SolverOptions } from '../solver/index.ts';

// v4: the stream schedule (solve, solved), the low-rank priors (options.prior, the project
// request, columns or, past ny·nx objects, the pixels' Gram in stepped replies, SVT maps in
// replays; spec.gramBlock) and per-object σ_i and masks in a partition's spec; a v3 agent
// would run a low-rank spec as sparse, so the versions must never meet (the subjects carry
// the version).
// v5: checkpoints stored in the background (upload reports in stepped replies) and
// their objects as named parts (only what cannot be recomputed); stored objects sealed
// with GMAC under the run's object key.
export const PROTOCOL_VERSION = 5;
/** Costs one step may return per partition (a barrier holds at most 4; see loop.ts). */
export const MAX_COSTS = 64;
/** Objects one sample request may ask for (the live view shows a handful). */
export const MAX_SAMPLE = 64;
/** Largest message accepted by a decoder (bulk data travels in assign/collect). */
export const MAX_MESSAGE_BYTES = 1 << 30;

export interface PartitionSpec {
  /** Partition index within the run. */
  partition: number;
  /** Index of its first object in the whole stack. */
  first: number;
  n: number;
  ny: number;
  nx: number;
  /** PSFs in `psfs`: n, or 1 for a PSF shared by every object. */
  psfCount: number;
  ky: number;
  kx: number;
  sigma: number;
  /** Per-object noise levels σ_i (length n), when given; they replace `sigma` in W⁽⁰⁾. */
  sigmas?: Float64Array;
  /** Pixel weights of the masked data term (length n·ny·nx), when given. */
  mask?: Float32Array;
  options: SolverOptions;
  /** The partition's stamps (empty when `files` names them). */
  y: Float32Array;
  /** Its PSFs (empty when `files` names them). */
  psfs: Float32Array;
  /** --shared-input: the agent reads the partition's objects from these files itself. */
  files?: SharedInputs;
  /**
   * Low-rank prior past ny·nx objects: send the pixels' Gram of the partition in blocks
   * of this many objects (solver/pixel-gram.ts; `first` is a multiple of it), not columns.
   */
  gramBlock?: number;
}

/** A file every host sees under the same name (--shared-input). */
export interface SharedFile {
  /** As the driver opened it: an absolute path, with its FITS address if any (`/d/s.fits[SCI]`). */
  spec: string;
  /** Its size in bytes, as the driver sees it. */
  size: number;
}

/**
 * Where an agent reads a partition's inputs (objects first … first + n - 1) and how it
 * checks them: the SHA-256 of the partition's y, PSFs and mask as float32, as the driver
 * read them, which the agent's read must give. `psf` is absent for a PSF shared by all
 * objects (sent in `psfs`); `masking` is present for a masked run (--mask weights, NaN
 * pixels masked with --mask-nan), with the rule of solver/masking.ts.
 */
export interface SharedInputs {
  y: SharedFile;
  psf?: SharedFile;
  masking?: { weights?: SharedFile; nan: boolean };
  digest: string;
}

/**
 * One entry of a run's history, as an integer: 0 = reweight, 2k + e = k iterations
 * (e = 1 if costs were evaluated on the way: after every costWindow-th iteration counted
 * back from the last, as Batch.advance does). With the low-rank prior (ALGORITHM §10)
 * an iteration is two entries: 2 + e, its local half (returning ỹt, and x if e), then
 * 1 = project, which applies the driver's SVT map.
 */
export type Op = number;
export const REWEIGHT_OP: Op = 0;
export const PROJECT_OP: Op = 1;

/** The driver's SVT map for one iteration: ỹ = ỹt − U diag(c) Uᵀỹt (U: ny·nx × rank, row-major). */
export interface SvtMapMessage {
  u: Float64Array;
  c: Float64Array;
}
export const stepOp = (iterations: number, evaluate: boolean): Op => iterations * 2 + (evaluate ? 1 : 0);

export type Request =
  | { v: number; type: 'ping'; run: string }
  | { v: number; type: 'assign'; run: string; spec: PartitionSpec }
  | { v: number; type: 'step'; run: string; partitions: number[]; iterations: number; evaluate: boolean; op: number }
  | { v: number; type: 'reweight'; run: string; partitions: number[]; op: number }
  | { v: number; type: 'collect'; run: string; partition: number }
  /**
   * Store each partition's state (which must be at `op`) as object `checkpointName(op, p)`:
   * the agent copies it out and answers at once, and stores it while the run goes on; its
   * `stepped` replies then say when it is stored (`uploads`).
   */
  | { v: number; type: 'checkpoint'; run: string; partitions: number[]; op: number }
  /** Load a freshly assigned partition's state from checkpoint object `checkpointName(op, partition)`. */
  | { v: number; type: 'restore'; run: string; partition: number; op: number }
  /** Apply history entries `ops` (indices from, from+1, …) to a partition at op `from`. */
  | { v: number; type: 'replay'; run: string; partition: number; from: number; ops: Op[]; maps?: Record<string, SvtMapMessage> }
  /** Low-rank prior: finish the iteration with the driver's SVT map. */
  | { v: number; type: 'project'; run: string; partitions: number[]; op: number; map: SvtMapMessage }
  | { v: number; type: 'release'; run: string }
  /** Read-only: the current x of a few objects, as [partition, index in partition] pairs. */
  | { v: number; type: 'sample'; run: string; picks: [number, number][] }
  /** Stream schedule: set a partition up, run the whole schedule on it alone, return x (and free it). */
  | { v: number; type: 'solve'; run: string; spec: PartitionSpec }
  /**
   * Stream schedule over a work queue: serve the run by taking its tasks from the queue
   * (`epoch`: the run's incarnation; tasks of older ones are refused), signalling progress
   * well within `ackWaitMs` while a partition solves.
   */
  | { v: number; type: 'join'; run: string; epoch: number; ackWaitMs: number };

export type Reply =
  | { v: number; type: 'ok' }
  /**
   * Per partition, its exact partial costs (decimal fixed point), the earliest first; with
   * the low-rank prior also its columns of ỹt and, if costs were due, of x (object-major);
   * and where the partition's last checkpoint upload on this agent stands, if it has one.
   */
  | {
    v: number; type: 'stepped'; costs: Record<string, string[]>; columns?: Record<string, PartitionColumns>; uploads?: Record<string, Upload>;
    /** Past ny·nx objects: the request's partitions' Gram parts of ỹt (and x), summed exactly. */
    gram?: PartitionsGram;
  }
  | { v: number; type: 'collected'; partition: number; x: Float32Array }
  /** The picked objects' x, object-major in the order asked, and the agent's Wasm memory (bytes). */
  | { v: number; type: 'sampled'; x: Float32Array; memory: number }
  | ({ v: number; type: 'solved' } & SolvedPartition)
  | { v: number; type: 'error'; code: string; message: string };

/** A partition run to the end of the schedule on its own (the stream schedule). */
export interface SolvedPartition {
  partition: number;
  x: Float32Array;
  iterations: number;
  /** Whether the stopping rule ended its last phase. */
  converged: boolean;
  phaseIterations: number[];
  reweightIterations: number[];
  /** Its exact cost sums (decimal fixed point), the earliest first, at `costIterations`. */
  costs: string[];
  costIterations: number[];
}

/** A partition's columns of the stack matrices the low-rank prior couples. */
export interface PartitionColumns {
  yt: Float32Array;
  x?: Float32Array;
}

/**
 * The fixed-point sum (PixelGram.words: 2 words an entry of the lower triangle) of the
 * pixels' Gram parts of ỹt and, if costs were due, of x, over the listed partitions.
 */
export interface PartitionsGram {
  partitions: number[];
  yt: BigInt64Array;
  x?: BigInt64Array;
}


/** Where a partition's last checkpoint upload stands on its agent. */
export interface Upload {
  op: number;
  state: 'storing' | 'stored' | 'failed';
  /** Why it failed (state 'failed'). */
  error?: string;
}

/** A partition's saved state (a checkpoint object): its place in the run and its named parts (Batch.snapshot). */
export interface Snapshot {
  run: string;
  partition: number;
  op: number;
  parts: Map<string, Uint8Array>;
}

/** Stands for a message too large to send inline: its bytes are object `name` of the run's bucket. */
export interface BulkRef {
  v: number;
  type: 'bulk';
  run: string;
  name: string;
  size: number;
}

/** Published by every agent process each second (and when asked): its agents and their runs. */
export interface Heartbeat {
  v: number;
  type: 'hb';
  host: string;
  pid: number;
  agents: { id: string; run: string | null }[];
}

export const checkpointName = (op: number, partition: number): string => `${checkpointPrefix(op)}.${partition}`;
/** What every object of the checkpoint at `op` is named after (BlobStore.deleteAll). */
export const checkpointPrefix = (op: number): string => `ck.${op}`;

/**
 * A partition to solve, on a run's work queue: its `solve` request is object `input` of
 * the run's store (too large for a message at the default partition size). `epoch` is
 * the run's incarnation (a fresh start takes a new, larger one; --resume keeps it).
 */
export interface Task {
  v: number;
  type: 'task';
  run: string;
  epoch: number;
  partition: number;
  input: string;
}

/**
 * A partition's result on a work queue, stored under `resultKey(partition)` by the agent
 * that solved it (KV create: the first one wins): its `solved` (or `error`) reply is
 * object `object` of the run's store.
 */
export interface Done {
  v: number;
  type: 'done';
  run: string;
  epoch: number;
  partition: number;
  object: string;
  agent: string;
}

/** Store names of a work-queue run: inputs and results carry the epoch, so an older incarnation's never pass for this one's. */
export const inputName = (epoch: number, partition: number): string => `in.${epoch}.${partition}`;
export const resultKey = (partition: number): string => `done.${partition}`;


const packr = new Packr({ moreTypes: true, useRecords: false });

export function encode(msg: Request | Reply | BulkRef | Heartbeat | Task | Done): Uint8Array {
  return packr.pack(msg);
}

function decodeRaw(bytes: Uint8Array): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('message is not binary');
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_MESSAGE_BYTES) {
    throw new ProtocolError(`message size ${bytes.byteLength} is out of range`);
  }
  let obj: unknown;
  try {
    obj = packr.unpack(bytes);
  } catch (e) {
    throw new ProtocolError(`undecodable message (${(e as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ProtocolError('message is not a map');
  const m = obj as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${String(m.v)} is not ${PROTOCOL_VERSION}`);
  return m;
}

const isInt = (v: unknown, min = 0, max = 2 ** 31): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Run and agent ids are NATS subject tokens and bucket-name parts: a safe alphabet only. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const isRun = (v: unknown): v is string => typeof v === 'string' && ID_PATTERN.test(v);
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.length <= 1 << 20 && v.every((x) => isInt(x));

const isCostList = (v: unknown, max: number): v is string[] =>
  Array.isArray(v) && v.length <= max && v.every((c) => typeof c === 'string' && /^-?\d{1,400}$/.test(c));

function need(ok: boolean, what: string): void {
  if (!ok) throw new ProtocolError(`malformed message: ${what}`);
}

/** Decodes and validates a driver → agent request. Throws ProtocolError. */
export function decodeRequest(bytes: Uint8Array): Request {
  const m = decodeRaw(bytes);
  need(isRun(m.run), 'run');
  switch (m.type) {
    case 'ping':
    case 'release':
      break;
    case 'assign':
      checkSpec(m.spec);
      break;
    case 'solve':
      checkSpec(m.spec);
      // a partition solved alone cannot take part in the low-rank prior's coupling (§10)
      need(m.spec.options.prior === 'sparse', 'solve: the stream schedule runs the sparse prior only');
      break;
    case 'step':
      need(isIntList(m.partitions), 'partitions');
      need(isInt(m.iterations, 1, 1 << 20), 'iterations');
      need(typeof m.evaluate === 'boolean', 'evaluate');
      need(isInt(m.op), 'op');
      break;
    case 'reweight':
    case 'checkpoint':
      need(isIntList(m.partitions), 'partitions');
      need(isInt(m.op), 'op');
      break;
    case 'collect':
      need(isInt(m.partition), 'partition');
      break;
    case 'join':
      need(isInt(m.epoch, 1, Number.MAX_SAFE_INTEGER) && isInt(m.ackWaitMs, 100, 3_600_000), 'join');
      break;
    case 'sample':
      need(Array.isArray(m.picks) && m.picks.length <= MAX_SAMPLE &&
        m.picks.every((q) => Array.isArray(q) && q.length === 2 && isInt(q[0]) && isInt(q[1])), 'picks');
      break;
    case 'restore':
      need(isInt(m.partition) && isInt(m.op), 'restore');
      break;
    case 'replay':
      need(isInt(m.partition) && isInt(m.from), 'replay');
      need(isIntList(m.ops), 'replay ops');
      if (m.maps !== undefined) {
        need(typeof m.maps === 'object' && m.maps !== null, 'replay maps');
        for (const map of Object.values(m.maps as object)) checkMap(map);
      }
      (m.ops as number[]).forEach((o, i) => {
        if (o === PROJECT_OP) need((m.maps as Record<string, unknown> | undefined)?.[(m.from as number) + i] !== undefined, 'replay map');
      });
      break;
    case 'project':
      need(isIntList(m.partitions), 'partitions');
      need(isInt(m.op), 'op');
      checkMap(m.map);
      break;
    default:
      throw new ProtocolError(`unknown request type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as Request;
}

function checkMap(m: unknown): asserts m is SvtMapMessage {
  need(typeof m === 'object' && m !== null, 'map');
  const { u, c } = m as Record<string, unknown>;
  need(u instanceof Float64Array && c instanceof Float64Array && c.length <= 1 << 16 && u.length % Math.max(c.length, 1) === 0, 'map u/c');
  need((c as Float64Array).length === 0 || (u as Float64Array).length > 0, 'map size');
}

function checkSpec(s: unknown): asserts s is PartitionSpec {
  need(typeof s === 'object' && s !== null, 'spec');
  const p = s as Record<string, unknown>;
  need(isInt(p.partition) && isInt(p.first) && isInt(p.n, 1), 'spec partition/first/n');
  need(isInt(p.ny, 8, 4096) && isInt(p.nx, 8, 4096), 'spec ny/nx');
  need(isInt(p.ky, 1, p.ny as number) && isInt(p.kx, 1, p.nx as number), 'spec ky/kx');
  need(p.psfCount === 1 || p.psfCount === p.n, 'spec psfCount');
  need(isNum(p.sigma) && (p.sigma as number) > 0, 'spec sigma');
  const f = p.files as Record<string, unknown> | undefined;
  if (f !== undefined) checkFiles(f);
  const named = (k: 'y' | 'psf') => f !== undefined && f[k] !== undefined;
  need(p.y instanceof Float32Array && p.y.length === (named('y') ? 0 : (p.n as number) * (p.ny as number) * (p.nx as number)), 'spec y');
  need(p.psfs instanceof Float32Array && p.psfs.length === (named('psf') ? 0 : (p.psfCount as number) * (p.ky as number) * (p.kx as number)), 'spec psfs');
  need(f === undefined || p.mask === undefined, 'spec mask with files');
  need(p.sigmas === undefined || (p.sigmas instanceof Float64Array && p.sigmas.length === p.n && p.sigmas.every((v) => v > 0 && v < Infinity)), 'spec sigmas');
  need(p.gramBlock === undefined || (isInt(p.gramBlock, 4) && (p.gramBlock as number) % 4 === 0 && (p.first as number) % (p.gramBlock as number) === 0), 'spec gramBlock');
  need(p.mask === undefined || (p.mask instanceof Float32Array && p.mask.length === (p.y as Float32Array).length && p.mask.every((v) => v >= 0 && v <= 1)), 'spec mask');
  const o = p.options as Record<string, unknown>;
  need(typeof o === 'object' && o !== null, 'spec options');
  need(o.wavelet === 'linear' || o.wavelet === 'b3', 'options.wavelet');
  need(Array.isArray(o.kappa) && o.kappa.length === 3 && o.kappa.every(isNum), 'options.kappa');
  for (const k of ['tau', 'sigmaD', 'rho', 'tolerance'] as const) need(isNum(o[k]), `options.${k}`);
  for (const k of ['nIter', 'nReweights', 'costWindow'] as const) need(isInt(o[k]), `options.${k}`);
  need(typeof o.positivity === 'boolean', 'options.positivity');
  need(o.prior === 'sparse' || o.prior === 'lowrank' || o.prior === 'both', 'options.prior');
  need(o.lowrankThreshold === 'hard' || o.lowrankThreshold === 'soft', 'options.lowrankThreshold');
  need(isNum(o.lowrankFactor), 'options.lowrankFactor');
}

function checkFiles(f: unknown): void {
  need(typeof f === 'object' && f !== null, 'spec files');
  const o = f as Record<string, unknown>;
  const file = (v: unknown) => {
    const x = v as Record<string, unknown>;
    return typeof x === 'object' && x !== null && typeof x.spec === 'string' && x.spec.length >= 1 && x.spec.length <= 4096 &&
      isInt(x.size, 0, Number.MAX_SAFE_INTEGER);
  };
  need(file(o.y) && (o.psf === undefined || file(o.psf)), 'spec files y/psf');
  const m = o.masking as Record<string, unknown> | undefined;
  need(m === undefined || (typeof m === 'object' && m !== null && typeof m.nan === 'boolean' && (m.weights === undefined || file(m.weights))), 'spec files masking');
  need(typeof o.digest === 'string' && /^[0-9a-f]{64}$/.test(o.digest), 'spec files digest');
}

/** Decodes and validates an agent → driver reply. Throws ProtocolError. */
export function decodeReply(bytes: Uint8Array): Reply {
  const m = decodeRaw(bytes);
  switch (m.type) {
    case 'ok':
      break;
    case 'stepped':
      need(typeof m.costs === 'object' && m.costs !== null, 'costs');
      for (const v of Object.values(m.costs as object)) need(isCostList(v, MAX_COSTS), 'cost');
      if (m.columns !== undefined) {
        need(typeof m.columns === 'object' && m.columns !== null, 'columns');
        for (const c of Object.values(m.columns as object)) {
          const { yt, x } = c as Record<string, unknown>;
          need(yt instanceof Float32Array && (x === undefined || (x instanceof Float32Array && x.length === yt.length)), 'columns');
        }
      }
      if (m.gram !== undefined) {
        const { partitions, yt, x } = m.gram as Record<string, unknown>;
        need(isIntList(partitions) && yt instanceof BigInt64Array && (x === undefined || (x instanceof BigInt64Array && x.length === yt.length)), 'gram');
      }
      need(m.uploads === undefined || (typeof m.uploads === 'object' && m.uploads !== null), 'uploads');
      for (const u of Object.values((m.uploads ?? {}) as object)) {
        const r = u as Record<string, unknown>;
        need(typeof u === 'object' && u !== null && isInt(r.op) && (r.state === 'storing' || r.state === 'stored' || r.state === 'failed') &&
          (r.error === undefined || (typeof r.error === 'string' && r.error.length <= 1024)), 'upload');
      }
      break;
    case 'collected':
      need(isInt(m.partition) && m.x instanceof Float32Array, 'collected');
      break;
    case 'sampled':
      need(m.x instanceof Float32Array && isNum(m.memory) && (m.memory as number) >= 0, 'sampled');
      break;
    case 'solved':
      need(isInt(m.partition) && m.x instanceof Float32Array && isInt(m.iterations) && typeof m.converged === 'boolean', 'solved');
      need(isIntList(m.phaseIterations) && isIntList(m.reweightIterations) && isIntList(m.costIterations), 'solved iterations');
      need(isCostList(m.costs, 1 << 20) && (m.costs as string[]).length === (m.costIterations as number[]).length, 'solved costs');
      break;
    case 'error':
      need(typeof m.message === 'string' && typeof m.code === 'string', 'error');
      break;
    default:
      throw new ProtocolError(`unknown reply type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as Reply;
}

// A checkpoint object: a little-endian u32 n, n bytes of msgpack header ({v, type:
// 'snapshot', run, partition, op, parts: [name, bytes][]}), then each part's bytes one
// after the other. Raw rather than msgpack, so that the state is copied once, out of Wasm
// memory into the object, and never again on the way out. What the parts mean is the
// solver's business (Batch.snapshot).

/** Parts and header size a snapshot may have (a partition's state has a handful of parts). */
const MAX_PARTS = 16;
const MAX_SNAPSHOT_HEADER = 4096;
const PART_NAME = /^[a-z][a-z0-9]{0,15}$/;

/** A checkpoint object in `alloc(bytes)` (default: new memory): the header, then `parts`, each copied once. */
export function writeSnapshot(
  head: { run: string; partition: number; op: number },
  parts: readonly { name: string; bytes: Uint8Array }[],
  alloc: (bytes: number) => Uint8Array = (n) => new Uint8Array(n),
): Uint8Array {
  const header = packr.pack({ v: PROTOCOL_VERSION, type: 'snapshot', ...head, parts: parts.map((p) => [p.name, p.bytes.byteLength]) });
  const out = alloc(parts.reduce((s, p) => s + p.bytes.byteLength, 4 + header.byteLength));
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const p of parts) {
    out.set(p.bytes, at);
    at += p.bytes.byteLength;
  }
  return out;
}

/** Decodes and validates a checkpoint object (its parts are views of `bytes`). Throws ProtocolError. */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  need(bytes instanceof Uint8Array && bytes.byteLength >= 4, 'snapshot');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  need(n >= 1 && n <= MAX_SNAPSHOT_HEADER && 4 + n <= bytes.byteLength, 'snapshot header');
  const m = decodeRaw(bytes.subarray(4, 4 + n));
  need(m.type === 'snapshot' && isRun(m.run) && isInt(m.partition) && isInt(m.op), 'snapshot');
  const layout = m.parts;
  need(Array.isArray(layout) && layout.length >= 1 && layout.length <= MAX_PARTS &&
    layout.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && PART_NAME.test(p[0]) && isInt(p[1], 0, MAX_MESSAGE_BYTES)) &&
    new Set(layout.map((p) => p[0])).size === layout.length, 'snapshot parts');
  let at = 4 + n;
  need((layout as [string, number][]).reduce((s, [, len]) => s + len, at) === bytes.byteLength, 'snapshot size');
  const parts = new Map<string, Uint8Array>();
  for (const [name, len] of layout as [string, number][]) {
    parts.set(name, bytes.subarray(at, at + len));
    at += len;
  }
  return { run: m.run as string, partition: m.partition as number, op: m.op as number, parts };
}

const isName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,128}$/.test(v);

/** Decodes and validates a work-queue task (which must name its partition's input). Throws ProtocolError. */
export function decodeTask(bytes: Uint8Array): Task {
  if (bytes.byteLength > 1 << 12) throw new ProtocolError('task too large');
  const m = decodeRaw(bytes);
  need(m.type === 'task' && isRun(m.run) && isInt(m.epoch, 1, Number.MAX_SAFE_INTEGER) && isInt(m.partition), 'task');
  need(m.input === inputName(m.epoch as number, m.partition as number), 'task input');
  return m as unknown as Task;
}

/** Decodes and validates a work-queue result record. Throws ProtocolError. */
export function decodeDone(bytes: Uint8Array): Done {
  if (bytes.byteLength > 1 << 12) throw new ProtocolError('result record too large');
  const m = decodeRaw(bytes);
  need(m.type === 'done' && isRun(m.run) && isInt(m.epoch, 1, Number.MAX_SAFE_INTEGER) && isInt(m.partition), 'result');
  need(isName(m.object) && isRun(m.agent), 'result object');
  return m as unknown as Done;
}

/** Largest bulk envelope; anything bigger is an ordinary message. */
const MAX_ENVELOPE_BYTES = 512;

/** The bulk envelope this message is, if it is one (checked); undefined otherwise. */
export function asBulkRef(bytes: Uint8Array): BulkRef | undefined {
  if (bytes.byteLength > MAX_ENVELOPE_BYTES) return undefined;
  let m: Record<string, unknown>;
  try {
    m = decodeRaw(bytes);
  } catch {
    return undefined;
  }
  if (m.type !== 'bulk') return undefined;
  need(isRun(m.run) && typeof m.name === 'string' && /^[A-Za-z0-9_.-]{1,128}$/.test(m.name), 'bulk ref');
  need(isInt(m.size, 1, MAX_MESSAGE_BYTES), 'bulk size');
  return m as unknown as BulkRef;
}

/** Decodes and validates a heartbeat. Throws ProtocolError. */
export function decodeHeartbeat(bytes: Uint8Array): Heartbeat {
  if (bytes.byteLength > 1 << 16) throw new ProtocolError('heartbeat too large');
  const m = decodeRaw(bytes);
  need(m.type === 'hb' && typeof m.host === 'string' && isInt(m.pid), 'heartbeat');
  need(Array.isArray(m.agents) && m.agents.length <= 1024, 'heartbeat agents');
  for (const a of m.agents as unknown[]) {
    const r = a as Record<string, unknown>;
    need(typeof a === 'object' && a !== null && isRun(r.id) && (r.run === null || isRun(r.run)), 'heartbeat agent');
  }
  return m as unknown as Heartbeat;
}
