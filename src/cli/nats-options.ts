// NATS connection options shared by `galdecon run --nats` and `galdecon agent`.

import { readFileSync } from 'node:fs';
import { FileError, OptionError } from '../errors.ts';
import type { NatsOptions } from '../cluster/index.ts';
import type { OptionTable, Parsed } from './args.ts';

export const NATS_OPTIONS: OptionTable = {
  'nats-user': { kind: 'string', arg: 'USER', help: 'NATS user (or env GALDECON_NATS_USER)' },
  'nats-pass': { kind: 'string', arg: 'PASS', help: 'NATS password (better: env GALDECON_NATS_PASS)' },
  'nats-token': { kind: 'string', arg: 'TOKEN', help: 'NATS token (better: env GALDECON_NATS_TOKEN)' },
  'nats-creds': { kind: 'string', arg: 'FILE', help: 'NATS credentials file (JWT and nkey seed)' },
  'tls-ca': { kind: 'string', arg: 'FILE', help: 'CA certificate to verify the server (PEM)' },
  'tls-cert': { kind: 'string', arg: 'FILE', help: 'client certificate for mutual TLS (PEM)' },
  'tls-key': { kind: 'string', arg: 'FILE', help: 'key of the client certificate (PEM)' },
  'secret-file': { kind: 'string', arg: 'FILE', help: "the deployment's secret, shared by its drivers and agents (or env GALDECON_SECRET): authenticates every message" },
};

/** Shortest deployment secret accepted (bytes). */
const MIN_SECRET = 16;

/** The deployment secret from --secret-file or GALDECON_SECRET, if any. */
function secretFrom(file: string | undefined, env: NodeJS.ProcessEnv): Uint8Array | undefined {
  let secret: Buffer;
  let where: string;
  if (file !== undefined) {
    try {
      secret = readFileSync(file);
    } catch (e) {
      throw new FileError(`cannot read --secret-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    // A trailing newline (from echo or an editor) is not part of the secret.
    secret = secret.subarray(0, secret.length - (secret.at(-1) === 0x0a ? (secret.at(-2) === 0x0d ? 2 : 1) : 0));
    where = `--secret-file ${file}`;
  } else if (env.GALDECON_SECRET !== undefined) {
    secret = Buffer.from(env.GALDECON_SECRET, 'utf8');
    where = 'GALDECON_SECRET';
  } else {
    return undefined;
  }
  if (secret.length < MIN_SECRET) {
    throw new OptionError(`${where} holds ${secret.length} bytes; a deployment secret needs at least ${MIN_SECRET} (e.g. openssl rand -hex 32)`);
  }
  return new Uint8Array(secret);
}

/** Connection options from the command line and environment (command line wins). */
export function natsOptionsFrom(a: Parsed, env: NodeJS.ProcessEnv = process.env): NatsOptions {
  const str = (k: string) => (a[k] as string | undefined);
  const o: NatsOptions = {
    url: str('nats')!,
    user: str('nats-user') ?? env.GALDECON_NATS_USER,
    pass: str('nats-pass') ?? env.GALDECON_NATS_PASS,
    token: str('nats-token') ?? env.GALDECON_NATS_TOKEN,
    creds: str('nats-creds'),
    tlsCa: str('tls-ca'),
    tlsCert: str('tls-cert'),
    tlsKey: str('tls-key'),
    secret: secretFrom(str('secret-file'), env),
  };
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new OptionError('--tls-cert and --tls-key go together');
  if (o.pass !== undefined && o.user === undefined) throw new OptionError('a NATS password needs a user (--nats-user)');
  return o;
}
