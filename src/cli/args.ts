// Command-line options: one declarative table per command, parsed with node:util's
// parseArgs, converted and checked here so commands receive typed values.

import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.ts';

export type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'numbers';

export interface OptionSpec {
  kind: Kind;
  help: string;
  /** Placeholder shown in help, e.g. FILE. */
  arg?: string;
  default?: string | number | boolean | number[];
  required?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;
export type Parsed = Record<string, string | number | boolean | number[] | undefined>;

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionTable;
  /** Free text after the options list. */
  notes?: string;
}

/** Parses argv for one command. `--config FILE` (JSON, keys = option names) fills in defaults. */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.kind === 'boolean' ? 'boolean' : 'string' };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify .*$/s, '');
    throw new OptionError(`${msg} (see \`galdecon ${spec.name} --help\`)`);
  }
  if (values.help) return { help: true };
  const fromConfig = 'config' in spec.options && typeof values.config === 'string' ? readConfig(values.config) : {};
  const out: Parsed = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const given = values[name] ?? fromConfig[name];
    if (given === undefined) {
      if (o.required) throw new OptionError(`--${name} is required (see \`galdecon ${spec.name} --help\`)`);
      out[name] = o.default;
      continue;
    }
    out[name] = convert(name, o.kind, given);
  }
  return out;
}

function convert(name: string, kind: Kind, v: unknown): string | number | boolean | number[] {
  const bad = (what: string): never => {
    throw new OptionError(`--${name} expects ${what} (got ${JSON.stringify(v)})`);
  };
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('true or false');
    case 'string':
      return typeof v === 'string' && v.length > 0 ? v : bad('a value');
    case 'number': {
      const n = typeof v === 'number' ? v : Number(String(v).trim());
      return Number.isFinite(n) && String(v).trim() !== '' ? n : bad('a number');
    }
    case 'integer': {
      const n = typeof v === 'number' ? v : Number(String(v).trim());
      return Number.isInteger(n) ? n : bad('a whole number');
    }
    case 'numbers': {
      const parts = Array.isArray(v) ? v : String(v).split(',');
      const nums = parts.map((p) => Number(String(p).trim()));
      return nums.length > 0 && nums.every(Number.isFinite) ? nums : bad('comma-separated numbers, e.g. 3,3,4');
    }
  }
}

function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OptionError(`--config ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new OptionError(`--config ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new OptionError(`--config ${path}: expected a JSON object of option names to values`);
  }
  return obj as Record<string, unknown>;
}

/** The `--help` text of a command, generated from its option table. */
export function helpText(spec: CommandSpec): string {
  const lines = [`galdecon ${spec.name} — ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'options:'];
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `  --${name}${o.kind === 'boolean' ? '' : ` ${o.arg ?? kindArg(o.kind)}`}`;
    const def = o.default !== undefined && o.kind !== 'boolean' ? ` (default: ${String(o.default)})` : '';
    return [left, `${o.help}${o.required ? ' (required)' : def}`];
  });
  rows.push(['  --help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [l, r] of rows) lines.push(l.padEnd(width) + r);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n') + '\n';
}

function kindArg(kind: Kind): string {
  return kind === 'number' || kind === 'integer' ? 'N' : kind === 'numbers' ? 'A,B,C' : 'VALUE';
}
