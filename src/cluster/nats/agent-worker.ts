// One NATS agent in a worker thread (its own connection and Wasm instance), for
// `galdecon agent`. Talks to the main thread by messages: log lines, run changes, and a
// `drain` request on shutdown. The worker's entry module calls startAgentWorker with what
// the process gives its agents (--shared-input: how to open the files drivers name).

import { parentPort, workerData } from 'node:worker_threads';
import { serveAgent, type AgentHooks, type AgentServeOptions } from './agent.ts';
import type { NatsOptions } from './wire.ts';

export async function startAgentWorker(hooks: AgentHooks = {}): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('agent-worker.ts must run in a worker thread');
  const { nats, id, opts } = workerData as { nats: NatsOptions; id: string; opts: AgentServeOptions };
  const log = (line: string) => port.postMessage({ type: 'log', line });
  const server = await serveAgent(nats, id, log, (run) => port.postMessage({ type: 'run', run }), opts, hooks);
  port.postMessage({ type: 'ready' });
  port.on('message', async (m: { type: string }) => {
    if (m.type !== 'drain') return;
    await server.drain();
    port.postMessage({ type: 'drained' });
  });
}
