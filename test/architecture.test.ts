// Checks that keep the house as docs/ARCHITECTURE.md draws it: the generated Wasm binding
// is current, and no layer imports one above it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('src/kernels/exports.generated.ts is what scripts/gen-bindings.mjs writes from assembly/', () => {
  const r = spawnSync(process.execPath, [new URL('../scripts/gen-bindings.mjs', import.meta.url).pathname, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test("the oracle's defaults, written from the contract, are the solver's", async () => {
  const { DEFAULT_OPTIONS } = await import('../src/solver/index.ts');
  const { defaultReferenceOptions } = await import('../src/reference/index.ts');
  assert.deepEqual({ ...defaultReferenceOptions }, { ...DEFAULT_OPTIONS });
});
