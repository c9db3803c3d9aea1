// Checks that keep the house as docs/ARCHITECTURE.md draws it: the generated Wasm binding
// is current, and no layer imports one above it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

test('src/kernels/exports.generated.ts is what scripts/gen-bindings.mjs writes from assembly/', () => {
  const r = spawnSync(process.execPath, [new URL('../scripts/gen-bindings.mjs', import.meta.url).pathname, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test("the oracle's defaults, written from the contract, are the solver's", async () => {
  const { DEFAULT_OPTIONS } = await import('../src/solver/index.ts');
  const { defaultReferenceOptions } = await import('../src/reference/index.ts');
  assert.deepEqual({ ...defaultReferenceOptions }, { ...DEFAULT_OPTIONS });
});

// The layers of src/ and what each may import (docs/ARCHITECTURE.md draws them):
// cli → cluster → solver → kernels, one way; io, sim, report and serve are leaves beside them;
// common/ and errors.ts are the vocabulary everyone shares. The oracle (reference/)
// shares types only with the code it checks.
const MAY_IMPORT: Record<string, { code: string[]; types?: string[] }> = {
  'errors.ts': { code: [] },
  common: { code: [] },
  kernels: { code: ['errors.ts', 'common'] },
  solver: { code: ['kernels', 'errors.ts', 'common'] },
  cluster: { code: ['solver', 'kernels', 'errors.ts', 'common'] },
  cli: { code: ['cluster', 'solver', 'kernels', 'io', 'sim', 'report', 'serve', 'errors.ts', 'common'] },
  io: { code: ['errors.ts', 'common'] },
  sim: { code: ['errors.ts', 'common'] },
  report: { code: ['errors.ts', 'common'] },
  serve: { code: ['errors.ts', 'common'] },
  reference: { code: ['errors.ts', 'common'], types: ['kernels', 'solver'] },
};

interface Edge { from: string; to: string; typeOnly: boolean; spec: string }

/** The relative imports of one source file (static, re-exports, dynamic), resolved to layers of src/. */
function edges(file: string, text: string): Edge[] {
  const out: Edge[] = [];
  const layerOf = (p: string) => p.split('/')[0];
  const from = layerOf(relative(SRC, file));
  const re = /(?:^|\n)\s*(import|export)(\s+type)?\b[^;'"]*?from\s*'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)|(?:^|\n)\s*import\s+'([^']+)'/g;
  for (let m; (m = re.exec(text));) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (!spec.startsWith('.')) continue;
    const target = relative(SRC, resolve(dirname(file), spec));
    if (target.startsWith('..')) {
      out.push({ from, to: `outside src (${target})`, typeOnly: false, spec });
      continue;
    }
    out.push({ from, to: layerOf(target), typeOnly: m[2] !== undefined, spec });
  }
  return out;
}

function violations(all: Edge[]): string[] {
  const bad: string[] = [];
  for (const e of all) {
    if (e.from === e.to) continue;
    const rule = MAY_IMPORT[e.from];
    if (!rule) {
      bad.push(`${e.from}: a layer docs/ARCHITECTURE.md and this test do not know`);
      continue;
    }
    if (rule.code.includes(e.to) || (e.typeOnly && rule.types?.includes(e.to))) continue;
    bad.push(`${e.from} imports ${e.typeOnly ? 'types from ' : ''}${e.to} ('${e.spec}')`);
  }
  return bad;
}

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.(ts|mts|mjs|js)$/.test(d.name) ? [p] : [];
  });
}

test('no layer of src/ imports one above it or beside it (cli → cluster → solver → kernels; io, sim, report leaves)', () => {
  const all = sources(SRC).flatMap((f) => edges(f, readFileSync(f, 'utf8')));
  assert.ok(all.length > 50, `found only ${all.length} imports: the parser is broken`);
  assert.deepEqual(violations(all), []);
});

test('the layer check catches an upward import, a value import where types are allowed, and an unknown layer', () => {
  const k = join(SRC, 'kernels', 'x.ts');
  const r = join(SRC, 'reference', 'x.ts');
  const found = violations([
    ...edges(k, "import { Batch } from '../solver/index.ts';\nexport { x } from './y.ts';"),
    ...edges(join(SRC, 'io', 'x.ts'), "const m = await import('../cluster/index.ts');"),
    ...edges(r, "import type { Block } from '../kernels/index.ts';\nimport { KernelModule } from '../kernels/index.ts';"),
    ...edges(join(SRC, 'new', 'x.ts'), "import '../errors.ts';"),
  ]);
  assert.deepEqual(found, [
    "kernels imports solver ('../solver/index.ts')",
    "io imports cluster ('../cluster/index.ts')",
    "reference imports kernels ('../kernels/index.ts')",
    'new: a layer docs/ARCHITECTURE.md and this test do not know',
  ]);
});

test('every "ALGORITHM §n" the code cites is a section of docs/ALGORITHM.md', () => {
  const doc = readFileSync(new URL('../docs/ALGORITHM.md', import.meta.url), 'utf8');
  const sections = new Set([...doc.matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])));
  assert.deepEqual([...sections], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const files = ['src', 'assembly', 'bench', 'test'].flatMap((d) => sources(join(root, d)));
  let cited = 0;
  const bad: string[] = [];
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/ALGORITHM(?:\.md)? §(\d+)(?:[–-]§?(\d+))?/g)) {
      cited++;
      for (const n of [m[1], m[2]]) if (n !== undefined && !sections.has(Number(n))) bad.push(`${relative(root, f)}: ${m[0]}`);
    }
  }
  assert.ok(cited > 20, `only ${cited} citations found`);
  assert.deepEqual(bad, []);
});
