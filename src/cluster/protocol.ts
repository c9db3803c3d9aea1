// The driver–agent protocol: typed, versioned messages encoded with msgpackr, and a
// defensive decoder that checks size and schema before anything acts on a message.
//
//   driver → agent: assign, step, reweight, collect, release (and ping)
//   agent → driver: ok, stepped, collected, error
//
// Every request names its run; per-iteration messages carry only scalars.

import { Packr } from 'msgpackr';
import type { SolverOptions } from '../solver/index.ts';

export const PROTOCOL_VERSION = 1;
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
  options: SolverOptions;
  y: Float32Array;
  psfs: Float32Array;
}

export type Request =
  | { v: number; type: 'ping'; run: string }
  | { v: number; type: 'assign'; run: string; spec: PartitionSpec }
  | { v: number; type: 'step'; run: string; partitions: number[]; iterations: number; evaluate: boolean }
  | { v: number; type: 'reweight'; run: string; partitions: number[] }
  | { v: number; type: 'collect'; run: string; partition: number }
  | { v: number; type: 'release'; run: string };

export type Reply =
  | { v: number; type: 'ok' }
  | { v: number; type: 'stepped'; costs: Record<string, string> }
  | { v: number; type: 'collected'; partition: number; x: Float32Array }
  | { v: number; type: 'error'; code: string; message: string };

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const packr = new Packr({ moreTypes: true, useRecords: false });

export function encode(msg: Request | Reply): Uint8Array {
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
const isRun = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.length <= 1 << 20 && v.every((x) => isInt(x));

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
    case 'step':
      need(isIntList(m.partitions), 'partitions');
      need(isInt(m.iterations, 1, 1 << 20), 'iterations');
      need(typeof m.evaluate === 'boolean', 'evaluate');
      break;
    case 'reweight':
      need(isIntList(m.partitions), 'partitions');
      break;
    case 'collect':
      need(isInt(m.partition), 'partition');
      break;
    default:
      throw new ProtocolError(`unknown request type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as Request;
}

function checkSpec(s: unknown): asserts s is PartitionSpec {
  need(typeof s === 'object' && s !== null, 'spec');
  const p = s as Record<string, unknown>;
  need(isInt(p.partition) && isInt(p.first) && isInt(p.n, 1), 'spec partition/first/n');
  need(isInt(p.ny, 8, 4096) && isInt(p.nx, 8, 4096), 'spec ny/nx');
  need(isInt(p.ky, 1, p.ny as number) && isInt(p.kx, 1, p.nx as number), 'spec ky/kx');
  need(p.psfCount === 1 || p.psfCount === p.n, 'spec psfCount');
  need(isNum(p.sigma) && (p.sigma as number) > 0, 'spec sigma');
  need(p.y instanceof Float32Array && p.y.length === (p.n as number) * (p.ny as number) * (p.nx as number), 'spec y');
  need(p.psfs instanceof Float32Array && p.psfs.length === (p.psfCount as number) * (p.ky as number) * (p.kx as number), 'spec psfs');
  const o = p.options as Record<string, unknown>;
  need(typeof o === 'object' && o !== null, 'spec options');
  need(o.wavelet === 'linear' || o.wavelet === 'b3', 'options.wavelet');
  need(Array.isArray(o.kappa) && o.kappa.length === 3 && o.kappa.every(isNum), 'options.kappa');
  for (const k of ['tau', 'sigmaD', 'rho', 'tolerance'] as const) need(isNum(o[k]), `options.${k}`);
  for (const k of ['nIter', 'nReweights', 'costWindow'] as const) need(isInt(o[k]), `options.${k}`);
  need(typeof o.positivity === 'boolean', 'options.positivity');
}

/** Decodes and validates an agent → driver reply. Throws ProtocolError. */
export function decodeReply(bytes: Uint8Array): Reply {
  const m = decodeRaw(bytes);
  switch (m.type) {
    case 'ok':
      break;
    case 'stepped':
      need(typeof m.costs === 'object' && m.costs !== null, 'costs');
      for (const v of Object.values(m.costs as object)) need(typeof v === 'string' && /^-?\d{1,400}$/.test(v), 'cost');
      break;
    case 'collected':
      need(isInt(m.partition) && m.x instanceof Float32Array, 'collected');
      break;
    case 'error':
      need(typeof m.message === 'string' && typeof m.code === 'string', 'error');
      break;
    default:
      throw new ProtocolError(`unknown reply type ${JSON.stringify(m.type)}`);
  }
  return m as unknown as Reply;
}
