// One NATS agent in a worker thread (its own connection and Wasm instance), for
// `galdecon agent`. Talks to the main thread by messages: log lines, run changes, and a
// `drain` request on shutdown.

import { parentPort, workerData } from 'node:worker_threads';
import { serveAgent } from './agent.ts';
import type { NatsOptions } from './wire.ts';

const port = parentPort;
if (!port) throw new Error('agent-worker.ts must run in a worker thread');
const { nats, id } = workerData as { nats: NatsOptions; id: string };

// Hostile traffic can be heavy: one line per second at most for dropped messages.
let dropped = 0;
let lastDropLine = 0;
const log = (line: string) => {
  if (line.startsWith('dropped')) {
    dropped++;
    if (Date.now() - lastDropLine < 1000) return;
    lastDropLine = Date.now();
    if (dropped > 1) line = `${line} (${dropped} dropped since the last line)`;
    dropped = 0;
  }
  port.postMessage({ type: 'log', line });
};

const server = await serveAgent(nats, id, log, (run) => port.postMessage({ type: 'run', run }));
port.postMessage({ type: 'ready' });
port.on('message', async (m: { type: string }) => {
  if (m.type !== 'drain') return;
  await server.drain();
  port.postMessage({ type: 'drained' });
});
