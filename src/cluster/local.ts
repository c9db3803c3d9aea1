// The in-process transport: K agents in worker threads, messages as transferred bytes.
// A worker that throws or exits fails its pending requests at once; close() always
// terminates every worker.

import { Worker } from 'node:worker_threads';
import { ClusterError } from '../errors.ts';
import type { AgentLink, Transport } from './transport.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface Pending {
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

class WorkerAgent implements AgentLink {
  readonly id: string;
  readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  constructor(index: number) {
    this.id = `local-${index}`;
    this.worker = new Worker(ENTRY, { workerData: { id: this.id } });
    this.worker.on('message', (m: { id: number; bytes: Uint8Array }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      p.resolve(m.bytes);
    });
    this.worker.on('error', (e) => this.fail(new ClusterError(`agent ${this.id} crashed: ${e.message}`)));
    this.worker.on('exit', (code) => this.fail(new ClusterError(`agent ${this.id} exited (code ${code})`)));
  }

  request(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const own = ownBuffer(bytes);
      this.worker.postMessage({ id, bytes: own }, [own.buffer as ArrayBuffer]);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}

export class LocalTransport implements Transport {
  private readonly links: WorkerAgent[];

  constructor(agents: number) {
    if (!Number.isInteger(agents) || agents < 1) throw new ClusterError(`--agents must be ≥ 1 (got ${agents})`);
    this.links = Array.from({ length: agents }, (_, i) => new WorkerAgent(i));
  }

  async agents(): Promise<AgentLink[]> {
    return this.links;
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.worker.terminate()));
  }
}

/**
 * The bytes in an ArrayBuffer of their own, ready to transfer. Encoders return views into
 * large shared buffers, and posting a view clones its whole buffer (megabytes per
 * message after a large one was encoded): copy the few bytes instead.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
