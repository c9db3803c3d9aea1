// NATS connection options shared by `galdecon run --nats` and `galdecon agent`.

import { OptionError } from '../errors.ts';
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
};

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
  };
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new OptionError('--tls-cert and --tls-key go together');
  if (o.pass !== undefined && o.user === undefined) throw new OptionError('a NATS password needs a user (--nats-user)');
  return o;
}
