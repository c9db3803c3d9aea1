// One NATS agent in a worker thread (its own connection and Wasm instance), for
// `galdecon agent`. Talks to the main thread by messages: log lines, run changes,
// checkpoint uploads (the frame's memory is handed over, not copied) and their outcome,
// and a `drain` request on shutdown. The worker's entry module calls startAgentWorker with
// what the process gives its agents (--shared-input: how to open the files drivers name).

import { parentPort, workerData } from 'node:worker_threads';
import { serveAgent, type AgentHooks, type AgentServeOptions, type Upload } from './agent.ts';
import type { NatsOptions } from './wire.ts';

export async function startAgentWorker(hooks: AgentHooks = {}): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('agent-worker.ts must run in a worker thread');
  const { nats, id, opts } = workerData as { nats: NatsOptions; id: string; opts: AgentServeOptions };
  const log = (line: string) => port.postMessage({ type: 'log', line });
  const uploads = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let uploadId = 0;
  const upload: Upload = (run, name, frame) => new Promise<void>((resolve, reject) => {
    const id = ++uploadId;
    uploads.set(id, { resolve, reject });
    port.postMessage({ type: 'upload', id, run, name, frame }, [frame.buffer as ArrayBuffer]);
  });
  const server = await serveAgent(nats, id, log, (run) => port.postMessage({ type: 'run', run }), opts, { upload, ...hooks });
  port.postMessage({ type: 'ready' });
  port.on('message', async (m: { type: string; id?: number; error?: string }) => {
    if (m.type === 'uploaded') {
      const u = uploads.get(m.id!);
      uploads.delete(m.id!);
      if (m.error === undefined) u?.resolve();
      else u?.reject(new Error(m.error));
      return;
    }
    if (m.type !== 'drain') return;
    await server.drain();
    port.postMessage({ type: 'drained' });
  });
}
