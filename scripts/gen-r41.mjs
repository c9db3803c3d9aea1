// Generates assembly/r41.generated.ts: the P1 / P3 passes of the 41-point transform of
// r41.ts with every element offset a literal, for the geometries that occur at 41 × 41
// (row strides 41·16 and 21·32). V8 adds a register offset to each address (a 32-bit add,
// it cannot fold it into the x64 displacement) and spills the eight offsets; literal
// offsets go straight into the instruction (−15 to −27 % for these passes). Run: node
// scripts/gen-r41.mjs (rewrites the file); node scripts/gen-r41.mjs --check exits 1 if the
// committed file is not what it writes (test/dft.test.ts runs that).

import { readFileSync, writeFileSync } from 'node:fs';

const N = 41;
const pow = (b, e, m) => { let r = 1; for (let i = 0; i < e; i++) r = (r * b) % m; return r; };
const g = [...Array(N).keys()].find((x) => x >= 2 && pow(x, 20, N) !== 1 && pow(x, 8, N) !== 1);
const ginv = pow(g, N - 2, N);
const phi = (u, v) => (25 * u + 16 * v) % 40;
const GATHER = [0, 1, 2, 3, 4].map((v) => [...Array(8).keys()].map((u) => pow(ginv, phi(u, v), N)));
const SCATTER = [0, 1, 2, 3, 4].map((v) => [...Array(8).keys()].map((u) => pow(g, phi(u, v), N)));

const PROW = N * 16;          // pixel row
const SROW = ((N >> 1) + 1) * 32; // half-spectrum row
const CES = SROW;             // column element stride when NHX = 21

const ld = (off) => `v128.load(p, ${off})`;
const add = (a, b) => `f32x4.add(${a}, ${b})`;
const sub = (a, b) => `f32x4.sub(${a}, ${b})`;
const neg = (a) => `v128.xor(${a}, sign)`;

/**
 * Body of a forward DFT8 butterfly (one line): bs(n) / es(n) give the sums a_n + a_{n+4}
 * and differences a_n − a_{n+4} as {re, im} expressions (n = 0..3); pair(u, A, B) emits
 * the outputs y_u = A + B, y_{u+4} = A − B (u = 0..3, B.imNeg: B.im is the negated name).
 */
function dft8(bs, es, pair) {
  const L = [];
  const b = [0, 1, 2, 3].map(bs);
  L.push(`const b0r = ${b[0].re}, b0i = ${b[0].im}, b2r = ${b[2].re}, b2i = ${b[2].im};`);
  L.push(`const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);`);
  L.push(`const b1r = ${b[1].re}, b1i = ${b[1].im}, b3r = ${b[3].re}, b3i = ${b[3].im};`);
  L.push(`const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);`);
  L.push(...pair(0, { re: 's0r', im: 's0i' }, { re: 's1r', im: 's1i', imNeg: false }));
  L.push(...pair(2, { re: 'd0r', im: 'd0i' }, { re: 'd1i', im: 'd1r', imNeg: true })); // B = −i·d1
  const e = [0, 1, 2, 3].map(es);
  L.push(`const e0r = ${e[0].re}, e0i = ${e[0].im}, e2r = ${e[2].re}, e2i = ${e[2].im};`);
  L.push(`const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);`);
  L.push(`const e1r = ${e[1].re}, e1i = ${e[1].im}, e3r = ${e[3].re}, e3i = ${e[3].im};`);
  L.push(`const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));`);
  L.push(`const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));`);
  L.push(`const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);`);
  L.push(...pair(1, { re: 't0r', im: 't0i' }, { re: 't1r', im: 't1i', imNeg: false }));
  L.push(...pair(3, { re: 'u0r', im: 'u0i' }, { re: 'u1i', im: 'u1r', imNeg: true })); // B = −i·u1
  return L;
}

/** y_u = A + B and y_{u+4} = A − B as {re, im} expressions. */
function sums(A, B) {
  return [
    { re: add(A.re, B.re), im: B.imNeg ? sub(A.im, B.im) : add(A.im, B.im) },
    { re: sub(A.re, B.re), im: B.imNeg ? add(A.im, B.im) : sub(A.im, B.im) },
  ];
}

/** Inputs gathered from the line at p: element e, re at e·es + ro, im at e·es + io. */
function gatherIn(v, es, ro, io) {
  const o = (n) => GATHER[v][n] * es;
  return {
    bs: (n) => ({ re: add(ld(o(n) + ro), ld(o(n + 4) + ro)), im: add(ld(o(n) + io), ld(o(n + 4) + io)) }),
    es: (n) => ({ re: sub(ld(o(n) + ro), ld(o(n + 4) + ro)), im: sub(ld(o(n) + io), ld(o(n + 4) + io)) }),
  };
}

/** Inputs from the work line (P3): U[k8] at k8·160, loaded swapped (inverse DFT8). */
function workIn() {
  const o = (n) => n * 160;
  return {
    bs: (n) => ({ re: add(ld(o(n) + 16), ld(o(n + 4) + 16)), im: add(ld(o(n)), ld(o(n + 4))) }),
    es: (n) => ({ re: sub(ld(o(n) + 16), ld(o(n + 4) + 16)), im: sub(ld(o(n)), ld(o(n + 4))) }),
  };
}

/**
 * Tangle inputs (inverse row pass, swapped domain): E = row 2b, O = row 2b+1 (at +SROW),
 * element k at 32k. For the mirror pair (e, 41 − e), k = min: sum (O.re, E.re), difference
 * σ(E.im, −O.im), σ = −1 when e > 20.
 */
function tangleIn(v) {
  const k = (n) => Math.min(GATHER[v][n], N - GATHER[v][n]);
  const s = (n) => GATHER[v][n] <= N >> 1;
  return {
    bs: (n) => ({ re: ld(SROW + 32 * k(n)), im: ld(32 * k(n)) }),
    es: (n) => ({
      re: s(n) ? ld(32 * k(n) + 16) : neg(ld(32 * k(n) + 16)),
      im: s(n) ? neg(ld(SROW + 32 * k(n) + 16)) : ld(SROW + 32 * k(n) + 16),
    }),
  };
}

const st = (off, x) => `v128.store(p, ${x}, ${off});`;
const stw = (off, x) => `v128.store(w, ${x}, ${off});`;

/** P1 output: y_k to the work line at k·160. */
const workOut = (u, A, B) => {
  const [y, z] = sums(A, B);
  return [`${stw(u * 160, y.re)} ${stw(u * 160 + 16, y.im)}`, `${stw((u + 4) * 160, z.re)} ${stw((u + 4) * 160 + 16, z.im)}`];
};

/** P3 output (swapped back): X.re = y.im at e·es + ro, X.im = y.re at e·es + io. */
const scatterOut = (v, es, ro, io) => (u, A, B) => {
  const [y, z] = sums(A, B);
  const a = SCATTER[v][u] * es, c = SCATTER[v][u + 4] * es;
  return [`${st(a + ro, y.im)} ${st(a + io, y.re)}`, `${st(c + ro, z.im)} ${st(c + io, z.re)}`];
};

/** Untangle (forward row pass): X_2b[k] = (A.im, σB.re) at 32k, X_2b+1[k] = (A.re, −σB.im) at SROW + 32k. */
const untangleOut = (v) => (u, A, B) => {
  const e = SCATTER[v][u], k = Math.min(e, N - e), s = e <= N >> 1;
  const bre = s ? B.re : neg(B.re);
  const bim = (B.imNeg ? s : !s) ? B.im : neg(B.im);
  return [`${st(32 * k, A.im)} ${st(32 * k + 16, bre)}`, `${st(SROW + 32 * k, A.re)} ${st(SROW + 32 * k + 16, bim)}`];
};

/** One pass: five butterflies v (straight-line), each a loop over the lines. */
function pass(name, doc, inOf, outOf, srcIsWork) {
  const L = [];
  L.push(`/** ${doc} */`);
  L.push(`export function ${name}(base: usize, tab: usize, nb: i32): void {`);
  L.push(`  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);`);
  for (let v = 0; v < 5; v++) {
    const inp = inOf(v), out = outOf(v);
    L.push(`  {`);
    L.push(`    let w = W + ${v * 32};`);
    L.push(`    let t = tab;`);
    L.push(`    for (let b = 0; b < nb; b++) {`);
    L.push(`      const p = base + <usize>load<u32>(t);`);
    const body = dft8(inp.bs, inp.es, out);
    for (const line of body) L.push(`      ${line.replaceAll('v128.load(p, ', srcIsWork ? 'v128.load(w, ' : 'v128.load(p, ')}`);
    L.push(`      w += LSTR;`);
    L.push(`      t += 4;`);
    L.push(`    }`);
    L.push(`  }`);
  }
  L.push(`}`);
  return L.join('\n');
}

const passes = [
  pass('p1RowsL', `P1, forward rows: line b = pix rows (base + tab[b], +${PROW}), element e at 16e.`,
    (v) => gatherIn(v, 16, 0, PROW), () => workOut, false),
  pass('p1ColsL', `P1, forward columns (NHX = 21): element e at ${CES}e, re +0, im +16.`,
    (v) => gatherIn(v, CES, 0, 16), () => workOut, false),
  pass('p1ColsIL', `P1, inverse columns (NHX = 21): as p1ColsL with re and im exchanged.`,
    (v) => gatherIn(v, CES, 16, 0), () => workOut, false),
  pass('p1TangleL', `P1, inverse rows: the Hermitian line X_2b + i·X_2b+1 from half-spectrum rows (base + tab[b], +${SROW}).`,
    tangleIn, () => workOut, false),
  pass('p3ColsL', `P3, forward columns (NHX = 21): X[e] at ${CES}e, re +0, im +16.`,
    workIn, (v) => scatterOut(v, CES, 0, 16), true),
  pass('p3ColsIL', `P3, inverse columns (NHX = 21): as p3ColsL with re and im exchanged.`,
    workIn, (v) => scatterOut(v, CES, 16, 0), true),
  pass('p3RowsIL', `P3, inverse rows: x_2b (X.im) to pix row base + tab[b], x_2b+1 (X.re) at +${PROW}, element e at 16e.`,
    workIn, (v) => scatterOut(v, 16, PROW, 0), true),
  pass('p3UntangleL', `P3, forward rows: the half spectra X_2b, X_2b+1 to rows base + tab[b], +${SROW}.`,
    workIn, untangleOut, true),
];

// (In P3 passes the work line is read through w and the destination written through p.)
const text = `// GENERATED by scripts/gen-r41.mjs (primitive root ${g}); do not edit by hand.
// The literal-offset P1 / P3 passes of r41.ts (see there and the script).

import { W, H8, LSTR } from './r41';

${passes.join('\n\n')}
`;
const file = new URL('../assembly/r41.generated.ts', import.meta.url);
if (process.argv.includes('--check')) {
  let src = '';
  try { src = readFileSync(file, 'utf8'); } catch { /* missing: stale */ }
  if (src !== text) {
    console.error('assembly/r41.generated.ts is out of date: run node scripts/gen-r41.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  console.log('assembly/r41.generated.ts written');
}
