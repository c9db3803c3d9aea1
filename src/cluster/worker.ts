// An agent inside a worker thread, answering the LocalTransport's messages.

import { parentPort } from 'node:worker_threads';
import { Agent } from './agent.ts';
import { ownBuffer } from './local.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
// No log of its own: every failure goes back to the driver in the same process, which
// reports it once (a second copy from here broke the one-line error of a failed run).
const agent = new Agent({ log: () => {} });

// One request at a time, in arrival order: the agent's state is not re-entrant.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: { id: number; bytes: Uint8Array }) => {
  queue = queue.then(async () => {
    const reply = ownBuffer(await agent.handle(m.bytes));
    port.postMessage({ id: m.id, bytes: reply }, [reply.buffer as ArrayBuffer]);
  });
});
