// The agent's side of NATS: one agent (one Wasm instance) serving its subjects, in a
// worker thread of the `galdecon agent` process (host.ts).

import { ProtocolError } from '../../errors.ts';
import { Agent } from '../agent.ts';
import { PROTOCOL_VERSION, encode } from '../protocol.ts';
import { Objects, PREFIX, bucketOf, fromWire, open, toWire, type NatsOptions } from './wire.ts';

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
