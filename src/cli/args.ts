// Command-line options: one declarative table per command, parsed with node:util's
// parseArgs, converted and range-checked here so commands receive typed values and every
// error names the option the user typed. `--config FILE` fills in values by the same
// names (or a report.json's `options` block); unknown keys are refused, never ignored.

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
  /** Numbers: inclusive bounds, or exclusive with `gt`/`lt`. */
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
  /** `numbers`: exactly this many. */
  count?: number;
  /** Strings: the accepted values. */
  choices?: readonly string[];
  /** A deprecated spelling of this other option: accepted with a warning, hidden from help. */
  aliasOf?: string;
  /** Accepted only in --config, not shown in help (e.g. `positivity` for --no-positivity). */
  configOnly?: boolean;
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
  /** --config keys with another spelling (report.json's, older camelCase): key → option name. */
  configAliases?: Record<string, string>;
}

/** Signed decimal numbers only: no hex, no "Infinity", no empty string. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses argv for one command. Negative numbers may follow an option (`--n-iter -5` is
 * read as the value −5, then range-checked). Deprecated aliases warn through `warn`.
 */
export function parseCommand(spec: CommandSpec, argv: string[], warn: (line: string) => void = defaultWarn(spec)): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.configOnly) continue;
    options[name] = { type: o.kind === 'boolean' ? 'boolean' : 'string' };
  }
  // parseArgs takes "-5" for an option and calls the value ambiguous: glue it on.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      args.push(`--${name}=${next}`);
      i++;
    } else args.push(argv[i]);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify .*$/s, '').replace(/\s+/g, ' ');
    throw new OptionError(`${msg} (see \`galdecon ${spec.name} --help\`)`);
  }
  if (values.help) return { help: true };
  const fromConfig = 'config' in spec.options && typeof values.config === 'string' ? readConfig(spec, values.config) : {};
  const given = new Map<string, unknown>();
  for (const [k, v] of Object.entries(fromConfig)) given.set(k, v);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) given.set(k, v);
  // Deprecated spellings: warn, then use the current name (which wins if both are given).
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.aliasOf === undefined || !given.has(name)) continue;
    warn(`--${name} is deprecated; use --${o.aliasOf}`);
    if (!given.has(o.aliasOf)) given.set(o.aliasOf, given.get(name));
    given.delete(name);
  }
  const out: Parsed = {};
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.aliasOf !== undefined) continue;
    const v = given.get(name);
    if (v === undefined) {
      if (o.required) throw new OptionError(`--${name} is required (see \`galdecon ${spec.name} --help\`)`);
      out[name] = o.default;
      continue;
    }
    out[name] = convert(name, o, v);
  }
  return out;
}

function defaultWarn(spec: CommandSpec): (line: string) => void {
  return (line) => process.stderr.write(`galdecon ${spec.name}: warning: ${line}\n`);
}

/** Converts one value (a command-line string or a JSON value from --config) and checks its range. */
export function convert(name: string, o: OptionSpec, v: unknown): string | number | boolean | number[] {
  const bad = (what: string): never => {
    throw new OptionError(`--${name} expects ${what} (got ${JSON.stringify(v)})`);
  };
  switch (o.kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('true or false');
    case 'string': {
      if (typeof v === 'number' && Number.isFinite(v)) v = String(v); // e.g. "noise-est": 3e-4 in a config
      if (!(typeof v === 'string' && v.length > 0)) bad('a value');
      if (o.choices && !o.choices.includes(v as string)) bad(`one of ${o.choices.join(', ')}`);
      return v as string;
    }
    case 'number':
    case 'integer': {
      const n = toNumber(v);
      if (n === undefined) bad(o.kind === 'integer' ? 'a whole number' : 'a decimal number');
      if (o.kind === 'integer' && !Number.isSafeInteger(n)) bad(`a whole number below 2^53`);
      checkRange(name, o, n!);
      return n!;
    }
    case 'numbers': {
      const parts = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : bad('comma-separated numbers, e.g. 3,3,4');
      const nums = parts.map(toNumber);
      if (nums.length === 0 || nums.some((x) => x === undefined)) bad('comma-separated numbers, e.g. 3,3,4');
      if (o.count !== undefined && nums.length !== o.count) bad(`${o.count} comma-separated numbers`);
      for (const x of nums) checkRange(name, o, x!);
      return nums as number[];
    }
  }
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !DECIMAL.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

function checkRange(name: string, o: OptionSpec, n: number): void {
  const fail = (rule: string): never => {
    throw new OptionError(`--${name} must be ${rule} (got ${n})`);
  };
  if (o.min !== undefined && n < o.min) fail(o.max !== undefined ? `in ${o.min}..${o.max}` : `≥ ${o.min}`);
  if (o.max !== undefined && n > o.max) fail(o.min !== undefined ? `in ${o.min}..${o.max}` : `≤ ${o.max}`);
  if (o.gt !== undefined && !(n > o.gt)) fail(o.lt !== undefined ? `in (${o.gt}, ${o.lt})` : `> ${o.gt}`);
  if (o.lt !== undefined && !(n < o.lt)) fail(o.gt !== undefined ? `in (${o.gt}, ${o.lt})` : `< ${o.lt}`);
}

/**
 * Reads --config: a JSON object of option names to values, or a whole report.json (its
 * `options` block is used). Keys may be spelled as the options (`n-iter`) or as the
 * command's aliases; any other key is refused, naming the nearest valid one.
 */
function readConfig(spec: CommandSpec, path: string): Record<string, unknown> {
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
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(obj)) throw new OptionError(`--config ${path}: expected a JSON object of option names to values`);
  if ('software' in obj && isObject(obj.options)) obj = obj.options; // a report.json
  const valid = Object.keys(spec.options).filter((k) => k !== 'config' && k !== 'help');
  const aliases = spec.configAliases ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const name = key in spec.options && key !== 'config' ? key : aliases[key];
    if (name === undefined) {
      const near = nearest(key, [...valid, ...Object.keys(aliases)]);
      throw new OptionError(`--config ${path}: unknown key "${key}"${near ? `; did you mean "${near}"?` : ''}`);
    }
    if (value === null) continue; // report.json writes an unset option (e.g. noise-est) as null
    convert(name, spec.options[name], value); // checked even if the command line overrides it
    out[name] = value;
  }
  return out;
}

/** The candidate closest to `key` (edit distance on lower-case letters and digits), if reasonably close. */
export function nearest(key: string, candidates: string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const k = norm(key);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(k, norm(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(k.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The `--help` text of a command, generated from its option table. */
export function helpText(spec: CommandSpec): string {
  const lines = [`galdecon ${spec.name} — ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'options:'];
  const rows = Object.entries(spec.options).filter(([, o]) => !o.aliasOf && !o.configOnly).map(([name, o]) => {
    const left = `  --${name}${o.kind === 'boolean' ? '' : ` ${o.arg ?? kindArg(o.kind)}`}`;
    const def = o.default !== undefined && o.kind !== 'boolean' ? ` (default: ${String(o.default)})` : '';
    return [left, `${o.help}${o.required ? ' (required)' : def}`];
  });
  rows.push(['  -h, --help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  for (const [l, r] of rows) lines.push(l.padEnd(width) + r);
  const deprecated = Object.entries(spec.options).filter(([, o]) => o.aliasOf);
  if (deprecated.length) lines.push('', `deprecated: ${deprecated.map(([n, o]) => `--${n} (use --${o.aliasOf})`).join(', ')}`);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n') + '\n';
}

function kindArg(kind: Kind): string {
  return kind === 'number' || kind === 'integer' ? 'N' : kind === 'numbers' ? 'A,B,C' : 'VALUE';
}
