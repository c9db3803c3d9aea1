// Security over a real nats-server: an agent without (or with wrong) credentials cannot
// join an authenticated server, with them it can, and secrets never reach the logs; a
// fuzz of ≥ 10,000 random and mutated messages on an agent's subjects neither crashes
// nor hangs it, and a following run still gives the local-mode bits.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createInbox, type NatsConnection } from 'nats';
import { NatsServer, natsAvailable } from './support/nats-server.ts';
import { Proc, agentIds, startAgent } from './support/galdecon-procs.ts';
import { CLI_OPTS, P, P_PATH, Y, Y_PATH, localRun, natsRun, sameBits } from './support/nats-runs.ts';
import { encode, PROTOCOL_VERSION, type Request } from '../src/cluster/protocol.ts';
import { SUBJECTS } from '../src/cluster/index.ts';
import { CONTEXT, Keys, Sequence, seal } from '../src/cluster/nats/auth.ts';
import { DEFAULT_OPTIONS } from '../src/solver/index.ts';
import { parseNpy } from '../src/io/index.ts';
import type { DistributedResult } from '../src/cluster/index.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const skip = !natsAvailable();
const FUZZ_SECRET = 'fuzz-deployment-secret-0123456789';
let reference: DistributedResult;

before(async () => {
  if (!skip) reference = await localRun(Y, P);
});

test('authentication: no or wrong credentials cannot join; the right ones can; no secret in any log', { skip }, async () => {
  const server = await NatsServer.start({ config: 'authorization { user: galdecon, password: "s3cret-pw" }\n' });
  const procs: Proc[] = [];
  try {
    const anon = new Proc(['agent', '--nats', server.url]);
    const wrong = new Proc(['agent', '--nats', server.url, '--nats-user', 'galdecon'], { env: { GALDECON_NATS_PASS: 'nope' } });
    procs.push(anon, wrong);
    assert.equal(await anon.exited, 1);
    assert.match(anon.stderr, /Authorization Violation/);
    assert.equal(await wrong.exited, 1);
    assert.match(wrong.stderr, /Authorization Violation/);

    const env = { GALDECON_NATS_USER: 'galdecon', GALDECON_NATS_PASS: 's3cret-pw' };
    const agent = await startAgent(server.url, 1, { env });
    procs.push(agent);
    const dir = mkdtempSync(join(tmpdir(), 'galdecon-auth-'));
    const url = server.url.replace('nats://', 'nats://galdecon:s3cret-pw@');
    const run = new Proc(['run', '--input', Y_PATH, '--psf', P_PATH, '--output', join(dir, 'x.npy'), ...CLI_OPTS,
      '--partitions', '4', '--nats', url, '--wait-agents', '10']);
    procs.push(run);
    const code = await run.exited;
    assert.equal(code, 0, `run: ${run.stderr}`);
    assert.match(run.stderr, /connected to nats:\/\/\*\*\*@127\.0\.0\.1/);
    const want = await localRun(Y, P, undefined, 2, 4);
    const got = parseNpy(readFileSync(join(dir, 'x.npy')), 'x.npy').data as Float32Array;
    assert.ok(sameBits(got, want.x), 'output differs from local mode');
    for (const p of [anon, wrong, agent, run]) {
      assert.ok(!/s3cret-pw|nope/.test(p.stderr + p.stdout), `a secret was printed: ${p.stderr}`);
    }
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await server.dispose();
  }
});

/** Valid requests of every kind, for the fuzzer to mutate. */
function corpus(run: string): Uint8Array[] {
  const v = PROTOCOL_VERSION;
  const reqs: (Request | Record<string, unknown>)[] = [
    { v, type: 'ping', run },
    { v, type: 'step', run, partitions: [0, 1], iterations: 1, evaluate: true, op: 0 },
    { v, type: 'reweight', run, partitions: [0], op: 3 },
    { v, type: 'collect', run, partition: 0 },
    { v, type: 'checkpoint', run, partitions: [0], op: 1 },
    { v, type: 'restore', run, partition: 0, op: 2 },
    { v, type: 'replay', run, partition: 0, from: 0, ops: [3, 2, 0, 5] },
    { v, type: 'release', run },
    { v, type: 'bulk', run, name: 'q.x.1', size: 5_000_000 },
    { v, type: 'assign', run, spec: {
      partition: 0, first: 0, n: 4, ny: 8, nx: 8, psfCount: 1, ky: 3, kx: 3, sigma: -1, options: DEFAULT_OPTIONS,
      y: new Float32Array(4 * 64), psfs: new Float32Array(9),
    } },
    { v: 99, type: 'ping', run },
    { v, type: 'step', run, partitions: Array.from({ length: 5000 }, (_, i) => i), iterations: 1 << 20, evaluate: false, op: 0 },
    { v, type: 'replay', run, partition: 0, from: 0, ops: new Array(100_000).fill(1 << 20) },
  ];
  return reqs.map((r) => encode(r as Request));
}

test('fuzz: 10,000 random and mutated messages; the agent survives and a following run is identical', { skip }, async () => {
  const server = await NatsServer.start();
  const agent = await startAgent(server.url, 1, { env: { GALDECON_SECRET: FUZZ_SECRET } });
  // Most messages are sealed with the run key (a buggy but trusted driver): they reach the
  // decoder. The rest are not: they must be dropped without a reply.
  const keys = new Keys(new TextEncoder().encode(FUZZ_SECRET));
  const seqs = new Sequence();
  const sealFor = (id: string, run: string, body: Uint8Array) => seal(keys.run(run), CONTEXT.request(id, run), seqs.next(), body);
  let nc: NatsConnection | undefined;
  try {
    const [id] = agentIds(agent);
    nc = await connect({ servers: server.url });
    const inbox = createInbox();
    let replies = 0;
    nc.subscribe(inbox, { callback: () => { replies++; } });
    let s = 12345;
    const rnd = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    const runs = ['fuzz', 'other', 'r0123456789abcdef'];
    const base = runs.flatMap(corpus);
    const N = 10_000;
    let sealedSent = 0;
    let unsealed = 0;
    for (let i = 0; i < N; i++) {
      const run = runs[rnd(runs.length)];
      let msg: Uint8Array;
      const kind = rnd(10);
      if (kind < 3) {
        msg = new Uint8Array(rnd(3000));
        for (let j = 0; j < msg.length; j++) msg[j] = rnd(256);
      } else {
        msg = Uint8Array.from(base[rnd(base.length)]);
        const flips = kind < 8 ? 1 + rnd(4) : 0;
        for (let f = 0; f < flips && msg.length > 0; f++) msg[rnd(msg.length)] = rnd(256);
        if (kind === 8) msg = msg.subarray(0, rnd(msg.length + 1));
      }
      const toAgent = !(kind === 9 && rnd(2) === 0);
      const subject = toAgent ? SUBJECTS.agent(id, run) : (rnd(2) ? SUBJECTS.heartbeat : SUBJECTS.discover);
      const sealed = toAgent && kind >= 3;
      if (sealed) msg = sealFor(id, run, msg);
      if (sealed) nc.publish(subject, msg, { reply: inbox });
      else nc.publish(subject, msg, rnd(2) ? { reply: inbox } : undefined);
      if (sealed) sealedSent++;
      else if (toAgent) unsealed++;
      if (i % 500 === 0) await nc.flush();
    }
    await nc.flush();
    // The agent handles its requests in order: once a ping is answered, the fuzz is done.
    const t0 = Date.now();
    const pong = await nc.request(SUBJECTS.agent(id, 'fuzz'), sealFor(id, 'fuzz', encode({ v: PROTOCOL_VERSION, type: 'ping', run: 'fuzz' })), { timeout: 60_000 });
    assert.ok(pong.data.length > 0);
    assert.ok(Date.now() - t0 < 60_000);
    await nc.flush();
    // Every sealed message is answered (a reply or an error), no unsealed one is.
    assert.equal(replies, sealedSent, `${replies} replies to ${sealedSent} sealed and ${unsealed} unsealed messages`);
    assert.ok(sealedSent > 5000 && unsealed > 2000);
    // A mutated message may have been a valid assign of a made-up run: release those runs.
    for (const run of runs) nc.publish(SUBJECTS.agent(id, run), sealFor(id, run, encode({ v: PROTOCOL_VERSION, type: 'release', run })));
    await nc.flush();
    assert.equal(agent.child.exitCode, null, 'the agent died');
    const r = await natsRun({ url: server.url, secret: new TextEncoder().encode(FUZZ_SECRET) }, { partitions: 3 });
    assert.ok(sameBits(r.x, reference.x));
    assert.match(agent.stderr, /dropped \d+ messages? \(latest: a request for run \w+ that is not authentic\)/);
    assert.match(agent.stderr, /\d+ requests? failed \(latest: /);
    assert.ok(agent.stderr.split('\n').length < 100, `the agent's log is not rate-limited:\n${agent.stderr.slice(0, 2000)}`);
  } finally {
    await nc?.close();
    agent.kill('SIGKILL');
    await server.dispose();
  }
});

/** The roles' authorization block as scripts/nats-server.sh writes it, with these passwords. */
function rolesConfig(driverPass: string, agentPass: string, extraUsers = ''): string {
  const r = spawnSync('bash', [fileURLToPath(new URL('../scripts/nats-server.sh', import.meta.url)), 'auth'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace('$GALDECON_DRIVER_PASS', JSON.stringify(driverPass)).replace('$GALDECON_AGENT_PASS', JSON.stringify(agentPass))
    .replace(/\n {2}\]\n\}\s*$/, `\n${extraUsers}\n  ]\n}\n`);
}

/** Permission errors the server sent on `nc` while `f` ran. */
async function violations(nc: NatsConnection, f: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const watch = (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error' && s.permissionContext) seen.push(`${s.data} ${s.permissionContext.operation} ${s.permissionContext.subject}`);
    }
  })();
  await f();
  await nc.flush().catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  void watch;
  return seen;
}

test('roles: a driver and an agent with their own permissions run; neither can act as the other; a third user is refused', { skip }, async () => {
  const other = '{ user: "other", password: "other-pw", permissions: { publish: ["other.>"], subscribe: ["other.>", "_INBOX.>"] } }';
  const server = await NatsServer.start({ config: rolesConfig('driver-pw', 'agent-pw', other) });
  const procs: Proc[] = [];
  const conns: NatsConnection[] = [];
  try {
    const secret = 'roles-deployment-secret-0123456789';
    const agent = await startAgent(server.url, 1, { env: { GALDECON_NATS_USER: 'galdecon-agent', GALDECON_NATS_PASS: 'agent-pw', GALDECON_SECRET: secret } });
    procs.push(agent);
    const r = await natsRun({ url: server.url, user: 'galdecon-driver', pass: 'driver-pw', secret: new TextEncoder().encode(secret) }, { partitions: 3, checkpointEvery: 10 });
    assert.ok(sameBits(r.x, reference.x), 'output with roles differs from local mode');

    const [id] = agentIds(agent);
    const as = async (user: string, pass: string) => {
      const nc = await connect({ servers: server.url, user, pass });
      conns.push(nc);
      return nc;
    };
    // The agent role cannot send requests; the driver role cannot send heartbeats.
    const agentNc = await as('galdecon-agent', 'agent-pw');
    assert.match((await violations(agentNc, async () => { agentNc.publish(SUBJECTS.agent(id, 'x'), new Uint8Array(1)); })).join(), /PERMISSIONS_VIOLATION publish galdecon\.v5\.agent\./);
    const driverNc = await as('galdecon-driver', 'driver-pw');
    assert.match((await violations(driverNc, async () => { driverNc.publish(SUBJECTS.heartbeat, new Uint8Array(1)); })).join(), /PERMISSIONS_VIOLATION publish galdecon\.v5\.hb/);
    // The third user may neither listen to, nor write on, galdecon's subjects and streams.
    const otherNc = await as('other', 'other-pw');
    const refused = await violations(otherNc, async () => {
      otherNc.subscribe('galdecon.>');
      otherNc.publish(SUBJECTS.agent(id, 'x'), new Uint8Array(1));
      otherNc.publish('$JS.API.STREAM.LIST', new Uint8Array(0));
    });
    assert.match(refused.join(), /PERMISSIONS_VIOLATION subscription galdecon\.>/);
    assert.match(refused.join(), /PERMISSIONS_VIOLATION publish galdecon\.v5\.agent\./);
    assert.match(refused.join(), /PERMISSIONS_VIOLATION publish \$JS\.API\.STREAM\.LIST/);
  } finally {
    for (const nc of conns) await nc.close().catch(() => {});
    for (const p of procs) p.kill('SIGKILL');
    await server.dispose();
  }
});

test('TLS: with the CA the run is identical; without it, a clear refusal', { skip: skip || !opensslAvailable() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-tls-'));
  const ssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=galdecon test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  const server = await NatsServer.start({ config: `tls { cert_file: "${join(dir, 'server.pem')}", key_file: "${join(dir, 'server.key')}" }\n` });
  const procs: Proc[] = [];
  try {
    const ca = join(dir, 'ca.pem');
    // A driver that cannot verify the server's certificate does not connect.
    await assert.rejects(natsRun({ url: server.url, waitAgentsMs: 1000 }), /cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: .*(certificate|TLS|tls)/);
    const agent = await startAgent(server.url, 1, { args: ['--tls-ca', ca] });
    procs.push(agent);
    const r = await natsRun({ url: server.url, tlsCa: ca }, { partitions: 2 });
    assert.ok(sameBits(r.x, reference.x), 'output over TLS differs from local mode');
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await server.dispose();
  }
});

function opensslAvailable(): boolean {
  const ok = spawnSync('openssl', ['version']).status === 0;
  if (!ok) {
    if (process.env.CI === 'true') throw new Error('CI=true but openssl is missing');
    process.stderr.write('\n*** SKIPPING TLS TEST: openssl is not installed ***\n\n');
  }
  return ok;
}
