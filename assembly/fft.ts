// Block FFTs of any length for the lane = object layout: a mixed-radix Stockham FFT
// (radices 2, 3, 4, 5 and a generic odd radix) and Rader's algorithm for prime lengths
// (a cyclic convolution of length N−1 done with the mixed-radix FFT and a precomputed
// kernel spectrum). Forward transforms only (e^{−i}); an inverse is the same transform
// with the real and imaginary slots exchanged: IDFT(z) = swap(DFT(swap(z))).
//
// A set of lines: N elements, element i at base + i·es; an element holds `nb` complex
// values (the lines) at +b·bs, each with its real part at +ro and imaginary part at +io
// (all in bytes; every value is an f32x4 of 4 objects). All lines share the twiddles, so
// the innermost loop runs over the lines with the twiddles fixed: plain vertical SIMD.
// Plans are built once per stamp size by `buildFft` (the only allocation here).

export const MAX_STAGES: i32 = 12;

export class Fft {
  n: i32 = 0;        // transform length
  kind: i32 = 0;     // 0: no plan (the caller's direct DFT), 1: mixed radix, 2: Rader
  len: i32 = 0;      // length of the mixed-radix FFT: n, or n − 1 for Rader
  nst: i32 = 0;      // its stages
  radix: StaticArray<i32> = new StaticArray<i32>(MAX_STAGES);
  ns: StaticArray<i32> = new StaticArray<i32>(MAX_STAGES);
  tw: StaticArray<usize> = new StaticArray<usize>(MAX_STAGES);   // (R−1)·ns splatted twiddles
  gtab: StaticArray<usize> = new StaticArray<usize>(MAX_STAGES); // generic radix: cos/sin table
  // Element maps (i32, logical → physical index, 0 = identity): input of the first and
  // output of the last stage of the forward part (inF, outF) and, for Rader, of the
  // inverse part (inI, outI). They hold Rader's g^{−q} / g^m permutations and the
  // prime-factor (Good–Thomas) index maps of a two-stage coprime split, which needs no
  // twiddles between its stages.
  inF: usize = 0;
  outF: usize = 0;
  inI: usize = 0;
  outI: usize = 0;
  kern: usize = 0;   // Rader: DFT(ω^{g^n})/(n−1), splatted (re, im), by logical output index
  mem: usize = 0;    // the one allocation holding the tables
}

// ---------------------------------------------------------------------------------------
// Plan construction (configure time only).

function isPrime(n: i32): bool {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d == 0) return false;
  return true;
}

/** b^e mod m. */
export function powMod(b: i32, e: i32, m: i32): i32 {
  let r: i64 = 1, x: i64 = b % m;
  while (e > 0) {
    if (e & 1) r = (r * x) % m;
    x = (x * x) % m;
    e >>= 1;
  }
  return <i32>r;
}

export function primitiveRoot(p: i32): i32 {
  const m = p - 1;
  for (let g = 2; g < p; g++) {
    let ok = true;
    let r = m;
    for (let q = 2; q <= r; q++) {
      if (r % q != 0) continue;
      while (r % q == 0) r /= q;
      if (powMod(g, m / q, p) == 1) { ok = false; break; }
    }
    if (ok) return g;
  }
  return 1;
}

/** Radices of a mixed-radix FFT of length n (4s first, then 2, 3, 5, other primes). */
function factor(n: i32, out: StaticArray<i32>): i32 {
  let k = 0;
  // One radix 8 (first, where it needs no twiddles) when the power of two is odd, else 4s.
  let e = 0;
  for (let m = n; (m & 1) == 0; m >>= 1) e++;
  if (e >= 3 && (e & 1) == 1) { out[k++] = 8; n >>= 3; }
  while (n % 4 == 0 && n > 4 && k < MAX_STAGES) { out[k++] = 4; n >>= 2; }
  for (let p = 2; n > 1 && k < MAX_STAGES; p++) {
    while (n % p == 0) {
      if (p == 2 && n % 4 == 0) { out[k++] = 4; n >>= 2; continue; }
      out[k++] = p;
      n /= p;
    }
  }
  return k;
}

/** Largest prime factor of n (n ≥ 2). */
function largestPrime(n: i32): i32 {
  let f = 1;
  for (let p = 2; p * p <= n; p++) while (n % p == 0) { f = p; n /= p; }
  return n > 1 ? max(f, n) : f;
}

/**
 * Plan kind for length n, from A/B timings against the paired direct DFT (bench/dft-ab.mts):
 * a mixed-radix FFT when n is 5-smooth or its largest prime factor is at most n/3 (the
 * generic odd radix is slow); Rader when n is prime, n − 1 is 5-smooth and n is large
 * enough for its stages (17, 31, 37, 41, 61: 1.1–2×; 11, 13, 19 stay direct).
 */
function chooseKind(n: i32): i32 {
  if (isPrime(n)) {
    if (largestPrime(n - 1) > 5) return 0;
    const r = new StaticArray<i32>(MAX_STAGES);
    return factor(n - 1, r) * 8 <= n ? 2 : 0;
  }
  const f = largestPrime(n);
  return f <= 5 || n >= 3 * f ? 1 : 0;
}

/** Chooses and builds the plan for length n. */
export function buildFft(f: Fft, n: i32): void {
  if (f.mem != 0) { heap.free(f.mem); f.mem = 0; }
  f.n = n;
  const kind = n >= 4 ? chooseKind(n) : 0;
  const len = kind == 2 ? n - 1 : n;
  f.kind = kind;
  f.len = len;
  if (kind == 0) { f.nst = 0; return; }
  const nst = factor(len, f.radix);
  f.nst = nst;
  // Table sizes.
  let bytes: usize = 64;
  let nsv = 1;
  for (let s = 0; s < nst; s++) {
    const p = f.radix[s];
    bytes += (<usize>((p - 1) * nsv) << 5) + 16;
    if (p > 5 && p != 8) bytes += (<usize>(p * p) << 2) + 16;
    nsv *= p;
  }
  bytes += (<usize>len << 5) + (<usize>len << 5) + 32;
  const mem = heap.alloc(bytes);
  f.mem = mem;
  let ptr = (mem + 15) & ~(<usize>15);
  nsv = 1;
  for (let s = 0; s < nst; s++) {
    const p = f.radix[s];
    f.ns[s] = nsv;
    f.tw[s] = ptr;
    const big = nsv * p;
    for (let jj = 0; jj < nsv; jj++) {
      for (let r = 1; r < p; r++) {
        const m = (r * jj) % big;
        const ang = -2.0 * Math.PI * <f64>m / <f64>big;
        const o = ptr + (<usize>(jj * (p - 1) + r - 1) << 5);
        v128.store(o, f32x4.splat(<f32>Math.cos(ang)));
        v128.store(o, f32x4.splat(<f32>Math.sin(ang)), 16);
      }
    }
    ptr += ((<usize>((p - 1) * nsv) << 5) + 15) & ~(<usize>15);
    if (p > 5 && p != 8) {
      // cos/sin(2π r k / p) for r, k in 1..h, h = (p − 1)/2: cos at [(r−1)·h + k−1], sin after.
      const h = (p - 1) >> 1;
      f.gtab[s] = ptr;
      for (let r = 1; r <= h; r++) {
        for (let k = 1; k <= h; k++) {
          const m = (r * k) % p;
          const ang = 2.0 * Math.PI * <f64>m / <f64>p;
          store<f32>(ptr + (<usize>((r - 1) * h + k - 1) << 2), <f32>Math.cos(ang));
          store<f32>(ptr + (<usize>(h * h + (r - 1) * h + k - 1) << 2), <f32>Math.sin(ang));
        }
      }
      ptr += ((<usize>(2 * h * h) << 2) + 15) & ~(<usize>15);
    }
    nsv *= p;
  }
  f.inF = 0; f.outF = 0; f.inI = 0; f.outI = 0; f.kern = 0;
  ptr = (ptr + 15) & ~(<usize>15);
  const maps = ptr; // 8 i32 maps of len entries: rur, crt, gather, scatter, inF, outF, inI, outI
  ptr += (<usize>len << 5);
  const rur = maps, crt = maps + (<usize>len << 2), gat = crt + (<usize>len << 2), sca = gat + (<usize>len << 2);
  const pfa = nst == 2 && gcd(f.radix[0], f.radix[1]) == 1;
  if (pfa) {
    const r1 = f.radix[0], r2 = f.radix[1];
    f.tw[1] = 0; // no twiddles between prime-factor stages
    for (let j = 0; j < r2; j++) {
      for (let r = 0; r < r1; r++) store<i32>(rur + (<usize>(j + r * r2) << 2), (r2 * r + r1 * j) % len);
    }
    for (let k = 0; k < len; k++) store<i32>(crt + (<usize>(k % r1 + (k % r2) * r1) << 2), k);
  } else {
    for (let k = 0; k < len; k++) { store<i32>(rur + (<usize>k << 2), k); store<i32>(crt + (<usize>k << 2), k); }
  }
  if (kind == 1) {
    if (pfa) { f.inF = rur; f.outF = crt; }
    return;
  }
  const g = primitiveRoot(n);
  const ginv = powMod(g, n - 2, n);
  for (let q = 0; q < len; q++) {
    store<i32>(gat + (<usize>q << 2), powMod(ginv, q, n));
    store<i32>(sca + (<usize>q << 2), powMod(g, q, n));
  }
  const inF = sca + (<usize>len << 2), outF = inF + (<usize>len << 2);
  const outI = outF + (<usize>len << 2);
  for (let l = 0; l < len; l++) {
    const ru = load<i32>(rur + (<usize>l << 2)), cr = load<i32>(crt + (<usize>l << 2));
    store<i32>(inF + (<usize>l << 2), load<i32>(gat + (<usize>ru << 2)));
    store<i32>(outF + (<usize>l << 2), cr);
    store<i32>(outI + (<usize>l << 2), load<i32>(sca + (<usize>cr << 2)));
  }
  f.inF = inF;
  f.outF = pfa ? outF : 0;
  f.inI = pfa ? rur : 0;
  f.outI = outI;
  f.kern = ptr;
  // K[k] = (1/len) Σ_m ω^{g^m} e^{−2πi k m/len}, ω = e^{−2πi/n}, in float64, stored at the
  // logical output index l of the last forward stage (k = crt[l]).
  for (let l = 0; l < len; l++) {
    const k = load<i32>(crt + (<usize>l << 2));
    let re = 0.0, im = 0.0;
    for (let m = 0; m < len; m++) {
      const a = -2.0 * Math.PI * <f64>powMod(g, m, n) / <f64>n
        - 2.0 * Math.PI * <f64>(<i64>k * <i64>m % <i64>len) / <f64>len;
      re += Math.cos(a);
      im += Math.sin(a);
    }
    const o = f.kern + (<usize>l << 5);
    v128.store(o, f32x4.splat(<f32>(re / <f64>len)));
    v128.store(o, f32x4.splat(<f32>(im / <f64>len)), 16);
  }
}

function gcd(a: i32, b: i32): i32 {
  while (b != 0) { const t = a % b; a = b; b = t; }
  return a;
}

// ---------------------------------------------------------------------------------------
// Stage kernels. The current stage's input/output geometry lives in these globals (set by
// `runStage`, copied to locals by each kernel).

let iB: usize = 0, iES: usize = 0, iBS: usize = 0, iRO: usize = 0, iIO: usize = 0, iMap: usize = 0;
let oB: usize = 0, oES: usize = 0, oBS: usize = 0, oRO: usize = 0, oIO: usize = 0, oMap: usize = 0;
let kTab: usize = 0; // multiply each output by this table's entry (Rader), or 0
let NB: i32 = 0;
let GS: usize = 0;   // generic radix scratch (set by the caller: room for 2·p complex)

export function setGenericScratch(p: usize): void { GS = p; }

@inline function addr(map: usize, i: i32, base: usize, es: usize): usize {
  return base + <usize>(map != 0 ? load<i32>(map + (<usize>i << 2)) : i) * es;
}

// Complex helpers on (re, im) pairs are written out; these name the common steps.
@inline function cmulRe(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return f32x4.sub(f32x4.mul(ar, wr), f32x4.mul(ai, wi));
}
@inline function cmulIm(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return f32x4.add(f32x4.mul(ar, wi), f32x4.mul(ai, wr));
}

@inline function body2(
  p0: usize, p1: usize, q0: usize, q1: usize, t: usize, k0: usize, k1: usize,
  ibs: usize, iro: usize, iio: usize, obs: usize, oro: usize, oio: usize, nb: i32, TW: bool, KM: bool,
): void {
  let ip: usize = 0, op: usize = 0;
  for (let b = 0; b < nb; b++) {
    const a0r = v128.load(p0 + ip + iro), a0i = v128.load(p0 + ip + iio);
    let a1r = v128.load(p1 + ip + iro), a1i = v128.load(p1 + ip + iio);
    if (TW) {
      const wr = v128.load(t), wi = v128.load(t, 16);
      const x = a1r;
      a1r = cmulRe(x, a1i, wr, wi); a1i = cmulIm(x, a1i, wr, wi);
    }
    let y0r = f32x4.add(a0r, a1r), y0i = f32x4.add(a0i, a1i);
    let y1r = f32x4.sub(a0r, a1r), y1i = f32x4.sub(a0i, a1i);
    if (KM) {
      let kr = v128.load(k0), ki = v128.load(k0, 16), x = y0r;
      y0r = cmulRe(x, y0i, kr, ki); y0i = cmulIm(x, y0i, kr, ki);
      kr = v128.load(k1); ki = v128.load(k1, 16); x = y1r;
      y1r = cmulRe(x, y1i, kr, ki); y1i = cmulIm(x, y1i, kr, ki);
    }
    v128.store(q0 + op + oro, y0r); v128.store(q0 + op + oio, y0i);
    v128.store(q1 + op + oro, y1r); v128.store(q1 + op + oio, y1i);
    ip += ibs; op += obs;
  }
}

function radix2(n: i32, ns: i32, tw: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB;
  const q = n >> 1;
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * 2 + jj;
    const p0 = addr(imap, j, ib, ies), p1 = addr(imap, j + q, ib, ies);
    const q0 = addr(omap, o, ob, oes), q1 = addr(omap, o + ns, ob, oes);
    const t = tw + (<usize>jj << 5);
    const k0 = kt + (<usize>o << 5), k1 = kt + (<usize>(o + ns) << 5);
    if (jj != 0 && tw != 0) {
      if (kt != 0) body2(p0, p1, q0, q1, t, k0, k1, ibs, iro, iio, obs, oro, oio, nb, true, true);
      else body2(p0, p1, q0, q1, t, k0, k1, ibs, iro, iio, obs, oro, oio, nb, true, false);
    } else {
      if (kt != 0) body2(p0, p1, q0, q1, t, k0, k1, ibs, iro, iio, obs, oro, oio, nb, false, true);
      else body2(p0, p1, q0, q1, t, k0, k1, ibs, iro, iio, obs, oro, oio, nb, false, false);
    }
  }
}

const S3: f32 = 0.8660254037844386;

@inline function body3(
  p0: usize, p1: usize, p2: usize, q0: usize, q1: usize, q2: usize, t: usize,
  k0: usize, k1: usize, k2: usize,
  ibs: usize, iro: usize, iio: usize, obs: usize, oro: usize, oio: usize, nb: i32, TW: bool, KM: bool,
): void {
  const half = f32x4.splat(0.5), s3 = f32x4.splat(S3);
  let ip: usize = 0, op: usize = 0;
  for (let b = 0; b < nb; b++) {
    const a0r = v128.load(p0 + ip + iro), a0i = v128.load(p0 + ip + iio);
    let a1r = v128.load(p1 + ip + iro), a1i = v128.load(p1 + ip + iio);
    let a2r = v128.load(p2 + ip + iro), a2i = v128.load(p2 + ip + iio);
    if (TW) {
      let wr = v128.load(t), wi = v128.load(t, 16), x = a1r;
      a1r = cmulRe(x, a1i, wr, wi); a1i = cmulIm(x, a1i, wr, wi);
      wr = v128.load(t, 32); wi = v128.load(t, 48); x = a2r;
      a2r = cmulRe(x, a2i, wr, wi); a2i = cmulIm(x, a2i, wr, wi);
    }
    const t1r = f32x4.add(a1r, a2r), t1i = f32x4.add(a1i, a2i);
    const t2r = f32x4.sub(a0r, f32x4.mul(half, t1r)), t2i = f32x4.sub(a0i, f32x4.mul(half, t1i));
    const t3r = f32x4.mul(s3, f32x4.sub(a1r, a2r)), t3i = f32x4.mul(s3, f32x4.sub(a1i, a2i));
    let y0r = f32x4.add(a0r, t1r), y0i = f32x4.add(a0i, t1i);
    let y1r = f32x4.add(t2r, t3i), y1i = f32x4.sub(t2i, t3r);
    let y2r = f32x4.sub(t2r, t3i), y2i = f32x4.add(t2i, t3r);
    if (KM) {
      let kr = v128.load(k0), ki = v128.load(k0, 16), x = y0r;
      y0r = cmulRe(x, y0i, kr, ki); y0i = cmulIm(x, y0i, kr, ki);
      kr = v128.load(k1); ki = v128.load(k1, 16); x = y1r;
      y1r = cmulRe(x, y1i, kr, ki); y1i = cmulIm(x, y1i, kr, ki);
      kr = v128.load(k2); ki = v128.load(k2, 16); x = y2r;
      y2r = cmulRe(x, y2i, kr, ki); y2i = cmulIm(x, y2i, kr, ki);
    }
    v128.store(q0 + op + oro, y0r); v128.store(q0 + op + oio, y0i);
    v128.store(q1 + op + oro, y1r); v128.store(q1 + op + oio, y1i);
    v128.store(q2 + op + oro, y2r); v128.store(q2 + op + oio, y2i);
    ip += ibs; op += obs;
  }
}

function radix3(n: i32, ns: i32, tw: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB;
  const q = n / 3;
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * 3 + jj;
    const p0 = addr(imap, j, ib, ies), p1 = addr(imap, j + q, ib, ies), p2 = addr(imap, j + 2 * q, ib, ies);
    const q0 = addr(omap, o, ob, oes), q1 = addr(omap, o + ns, ob, oes), q2 = addr(omap, o + 2 * ns, ob, oes);
    const t = tw + (<usize>(jj * 2) << 5);
    const k0 = kt + (<usize>o << 5), k1 = kt + (<usize>(o + ns) << 5), k2 = kt + (<usize>(o + 2 * ns) << 5);
    if (jj != 0 && tw != 0) {
      if (kt != 0) body3(p0, p1, p2, q0, q1, q2, t, k0, k1, k2, ibs, iro, iio, obs, oro, oio, nb, true, true);
      else body3(p0, p1, p2, q0, q1, q2, t, k0, k1, k2, ibs, iro, iio, obs, oro, oio, nb, true, false);
    } else {
      if (kt != 0) body3(p0, p1, p2, q0, q1, q2, t, k0, k1, k2, ibs, iro, iio, obs, oro, oio, nb, false, true);
      else body3(p0, p1, p2, q0, q1, q2, t, k0, k1, k2, ibs, iro, iio, obs, oro, oio, nb, false, false);
    }
  }
}

@inline function body4(
  p0: usize, p1: usize, p2: usize, p3: usize, q0: usize, q1: usize, q2: usize, q3: usize, t: usize,
  k0: usize, k1: usize, k2: usize, k3: usize,
  ibs: usize, iro: usize, iio: usize, obs: usize, oro: usize, oio: usize, nb: i32, TW: bool, KM: bool,
): void {
  let ip: usize = 0, op: usize = 0;
  for (let b = 0; b < nb; b++) {
    let a0r = v128.load(p0 + ip + iro), a0i = v128.load(p0 + ip + iio);
    let a1r = v128.load(p1 + ip + iro), a1i = v128.load(p1 + ip + iio);
    let a2r = v128.load(p2 + ip + iro), a2i = v128.load(p2 + ip + iio);
    let a3r = v128.load(p3 + ip + iro), a3i = v128.load(p3 + ip + iio);
    if (TW) {
      let wr = v128.load(t), wi = v128.load(t, 16), x = a1r;
      a1r = cmulRe(x, a1i, wr, wi); a1i = cmulIm(x, a1i, wr, wi);
      wr = v128.load(t, 32); wi = v128.load(t, 48); x = a2r;
      a2r = cmulRe(x, a2i, wr, wi); a2i = cmulIm(x, a2i, wr, wi);
      wr = v128.load(t, 64); wi = v128.load(t, 80); x = a3r;
      a3r = cmulRe(x, a3i, wr, wi); a3i = cmulIm(x, a3i, wr, wi);
    }
    const s0r = f32x4.add(a0r, a2r), s0i = f32x4.add(a0i, a2i);
    const d0r = f32x4.sub(a0r, a2r), d0i = f32x4.sub(a0i, a2i);
    const s1r = f32x4.add(a1r, a3r), s1i = f32x4.add(a1i, a3i);
    const d1r = f32x4.sub(a1r, a3r), d1i = f32x4.sub(a1i, a3i);
    let y0r = f32x4.add(s0r, s1r), y0i = f32x4.add(s0i, s1i);
    let y2r = f32x4.sub(s0r, s1r), y2i = f32x4.sub(s0i, s1i);
    let y1r = f32x4.add(d0r, d1i), y1i = f32x4.sub(d0i, d1r); // d0 − i d1
    let y3r = f32x4.sub(d0r, d1i), y3i = f32x4.add(d0i, d1r); // d0 + i d1
    if (KM) {
      let kr = v128.load(k0), ki = v128.load(k0, 16), x = y0r;
      y0r = cmulRe(x, y0i, kr, ki); y0i = cmulIm(x, y0i, kr, ki);
      kr = v128.load(k1); ki = v128.load(k1, 16); x = y1r;
      y1r = cmulRe(x, y1i, kr, ki); y1i = cmulIm(x, y1i, kr, ki);
      kr = v128.load(k2); ki = v128.load(k2, 16); x = y2r;
      y2r = cmulRe(x, y2i, kr, ki); y2i = cmulIm(x, y2i, kr, ki);
      kr = v128.load(k3); ki = v128.load(k3, 16); x = y3r;
      y3r = cmulRe(x, y3i, kr, ki); y3i = cmulIm(x, y3i, kr, ki);
    }
    v128.store(q0 + op + oro, y0r); v128.store(q0 + op + oio, y0i);
    v128.store(q1 + op + oro, y1r); v128.store(q1 + op + oio, y1i);
    v128.store(q2 + op + oro, y2r); v128.store(q2 + op + oio, y2i);
    v128.store(q3 + op + oro, y3r); v128.store(q3 + op + oio, y3i);
    ip += ibs; op += obs;
  }
}

function radix4(n: i32, ns: i32, tw: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB;
  const q = n >> 2;
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * 4 + jj;
    const p0 = addr(imap, j, ib, ies), p1 = addr(imap, j + q, ib, ies);
    const p2 = addr(imap, j + 2 * q, ib, ies), p3 = addr(imap, j + 3 * q, ib, ies);
    const q0 = addr(omap, o, ob, oes), q1 = addr(omap, o + ns, ob, oes);
    const q2 = addr(omap, o + 2 * ns, ob, oes), q3 = addr(omap, o + 3 * ns, ob, oes);
    const t = tw + (<usize>(jj * 3) << 5);
    const k0 = kt + (<usize>o << 5), k1 = kt + (<usize>(o + ns) << 5);
    const k2 = kt + (<usize>(o + 2 * ns) << 5), k3 = kt + (<usize>(o + 3 * ns) << 5);
    if (jj != 0 && tw != 0) {
      if (kt != 0) body4(p0, p1, p2, p3, q0, q1, q2, q3, t, k0, k1, k2, k3, ibs, iro, iio, obs, oro, oio, nb, true, true);
      else body4(p0, p1, p2, p3, q0, q1, q2, q3, t, k0, k1, k2, k3, ibs, iro, iio, obs, oro, oio, nb, true, false);
    } else {
      if (kt != 0) body4(p0, p1, p2, p3, q0, q1, q2, q3, t, k0, k1, k2, k3, ibs, iro, iio, obs, oro, oio, nb, false, true);
      else body4(p0, p1, p2, p3, q0, q1, q2, q3, t, k0, k1, k2, k3, ibs, iro, iio, obs, oro, oio, nb, false, false);
    }
  }
}

const C51: f32 = 0.30901699437494745;  // cos 2π/5
const C52: f32 = -0.8090169943749473;  // cos 4π/5
const S51: f32 = 0.9510565162951535;   // sin 2π/5
const S52: f32 = 0.5877852522924732;   // sin 4π/5

@inline function body5(
  p0: usize, p1: usize, p2: usize, p3: usize, p4: usize,
  q0: usize, q1: usize, q2: usize, q3: usize, q4: usize, t: usize, kt: usize, o: i32, ns: i32,
  ibs: usize, iro: usize, iio: usize, obs: usize, oro: usize, oio: usize, nb: i32, TW: bool, KM: bool,
): void {
  const c1 = f32x4.splat(C51), c2 = f32x4.splat(C52), s1 = f32x4.splat(S51), s2 = f32x4.splat(S52);
  let ip: usize = 0, op: usize = 0;
  for (let b = 0; b < nb; b++) {
    const a0r = v128.load(p0 + ip + iro), a0i = v128.load(p0 + ip + iio);
    let a1r = v128.load(p1 + ip + iro), a1i = v128.load(p1 + ip + iio);
    let a2r = v128.load(p2 + ip + iro), a2i = v128.load(p2 + ip + iio);
    let a3r = v128.load(p3 + ip + iro), a3i = v128.load(p3 + ip + iio);
    let a4r = v128.load(p4 + ip + iro), a4i = v128.load(p4 + ip + iio);
    if (TW) {
      let wr = v128.load(t), wi = v128.load(t, 16), x = a1r;
      a1r = cmulRe(x, a1i, wr, wi); a1i = cmulIm(x, a1i, wr, wi);
      wr = v128.load(t, 32); wi = v128.load(t, 48); x = a2r;
      a2r = cmulRe(x, a2i, wr, wi); a2i = cmulIm(x, a2i, wr, wi);
      wr = v128.load(t, 64); wi = v128.load(t, 80); x = a3r;
      a3r = cmulRe(x, a3i, wr, wi); a3i = cmulIm(x, a3i, wr, wi);
      wr = v128.load(t, 96); wi = v128.load(t, 112); x = a4r;
      a4r = cmulRe(x, a4i, wr, wi); a4i = cmulIm(x, a4i, wr, wi);
    }
    const t1r = f32x4.add(a1r, a4r), t1i = f32x4.add(a1i, a4i);
    const t2r = f32x4.add(a2r, a3r), t2i = f32x4.add(a2i, a3i);
    const t3r = f32x4.sub(a1r, a4r), t3i = f32x4.sub(a1i, a4i);
    const t4r = f32x4.sub(a2r, a3r), t4i = f32x4.sub(a2i, a3i);
    let y0r = f32x4.add(a0r, f32x4.add(t1r, t2r)), y0i = f32x4.add(a0i, f32x4.add(t1i, t2i));
    const b1r = f32x4.add(a0r, f32x4.add(f32x4.mul(c1, t1r), f32x4.mul(c2, t2r)));
    const b1i = f32x4.add(a0i, f32x4.add(f32x4.mul(c1, t1i), f32x4.mul(c2, t2i)));
    const b2r = f32x4.add(a0r, f32x4.add(f32x4.mul(c2, t1r), f32x4.mul(c1, t2r)));
    const b2i = f32x4.add(a0i, f32x4.add(f32x4.mul(c2, t1i), f32x4.mul(c1, t2i)));
    const d1r = f32x4.add(f32x4.mul(s1, t3r), f32x4.mul(s2, t4r));
    const d1i = f32x4.add(f32x4.mul(s1, t3i), f32x4.mul(s2, t4i));
    const d2r = f32x4.sub(f32x4.mul(s2, t3r), f32x4.mul(s1, t4r));
    const d2i = f32x4.sub(f32x4.mul(s2, t3i), f32x4.mul(s1, t4i));
    let y1r = f32x4.add(b1r, d1i), y1i = f32x4.sub(b1i, d1r);
    let y4r = f32x4.sub(b1r, d1i), y4i = f32x4.add(b1i, d1r);
    let y2r = f32x4.add(b2r, d2i), y2i = f32x4.sub(b2i, d2r);
    let y3r = f32x4.sub(b2r, d2i), y3i = f32x4.add(b2i, d2r);
    if (KM) {
      let k = kt + (<usize>o << 5);
      let kr = v128.load(k), ki = v128.load(k, 16), x = y0r;
      y0r = cmulRe(x, y0i, kr, ki); y0i = cmulIm(x, y0i, kr, ki);
      k += <usize>ns << 5; kr = v128.load(k); ki = v128.load(k, 16); x = y1r;
      y1r = cmulRe(x, y1i, kr, ki); y1i = cmulIm(x, y1i, kr, ki);
      k += <usize>ns << 5; kr = v128.load(k); ki = v128.load(k, 16); x = y2r;
      y2r = cmulRe(x, y2i, kr, ki); y2i = cmulIm(x, y2i, kr, ki);
      k += <usize>ns << 5; kr = v128.load(k); ki = v128.load(k, 16); x = y3r;
      y3r = cmulRe(x, y3i, kr, ki); y3i = cmulIm(x, y3i, kr, ki);
      k += <usize>ns << 5; kr = v128.load(k); ki = v128.load(k, 16); x = y4r;
      y4r = cmulRe(x, y4i, kr, ki); y4i = cmulIm(x, y4i, kr, ki);
    }
    v128.store(q0 + op + oro, y0r); v128.store(q0 + op + oio, y0i);
    v128.store(q1 + op + oro, y1r); v128.store(q1 + op + oio, y1i);
    v128.store(q2 + op + oro, y2r); v128.store(q2 + op + oio, y2i);
    v128.store(q3 + op + oro, y3r); v128.store(q3 + op + oio, y3i);
    v128.store(q4 + op + oro, y4r); v128.store(q4 + op + oio, y4i);
    ip += ibs; op += obs;
  }
}

function radix5(n: i32, ns: i32, tw: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB;
  const q = n / 5;
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * 5 + jj;
    const p0 = addr(imap, j, ib, ies), p1 = addr(imap, j + q, ib, ies), p2 = addr(imap, j + 2 * q, ib, ies);
    const p3 = addr(imap, j + 3 * q, ib, ies), p4 = addr(imap, j + 4 * q, ib, ies);
    const q0 = addr(omap, o, ob, oes), q1 = addr(omap, o + ns, ob, oes), q2 = addr(omap, o + 2 * ns, ob, oes);
    const q3 = addr(omap, o + 3 * ns, ob, oes), q4 = addr(omap, o + 4 * ns, ob, oes);
    const t = tw + (<usize>(jj * 4) << 5);
    if (jj != 0 && tw != 0) {
      if (kt != 0) body5(p0, p1, p2, p3, p4, q0, q1, q2, q3, q4, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, true, true);
      else body5(p0, p1, p2, p3, p4, q0, q1, q2, q3, q4, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, true, false);
    } else {
      if (kt != 0) body5(p0, p1, p2, p3, p4, q0, q1, q2, q3, q4, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, false, true);
      else body5(p0, p1, p2, p3, p4, q0, q1, q2, q3, q4, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, false, false);
    }
  }
}

const H8: f32 = 0.7071067811865476;

@inline function tw8(t: usize, k: usize, ar: v128, ai: v128, re: bool): v128 {
  const wr = v128.load(t + (k << 5)), wi = v128.load(t + (k << 5) + 16);
  return re ? cmulRe(ar, ai, wr, wi) : cmulIm(ar, ai, wr, wi);
}

/** y_k, k = 0..3 of a radix-4 butterfly on v (forward), stored at q(k) (with K if KM). */
@inline function store4(
  v0r: v128, v0i: v128, v1r: v128, v1i: v128, v2r: v128, v2i: v128, v3r: v128, v3i: v128,
  qa: usize, qb: usize, qc: usize, qd: usize, ka: usize, kb: usize, kc: usize, kd: usize,
  oro: usize, oio: usize, KM: bool,
): void {
  const s0r = f32x4.add(v0r, v2r), s0i = f32x4.add(v0i, v2i);
  const d0r = f32x4.sub(v0r, v2r), d0i = f32x4.sub(v0i, v2i);
  const s1r = f32x4.add(v1r, v3r), s1i = f32x4.add(v1i, v3i);
  const d1r = f32x4.sub(v1r, v3r), d1i = f32x4.sub(v1i, v3i);
  let y0r = f32x4.add(s0r, s1r), y0i = f32x4.add(s0i, s1i);
  let y2r = f32x4.sub(s0r, s1r), y2i = f32x4.sub(s0i, s1i);
  let y1r = f32x4.add(d0r, d1i), y1i = f32x4.sub(d0i, d1r);
  let y3r = f32x4.sub(d0r, d1i), y3i = f32x4.add(d0i, d1r);
  if (KM) {
    let kr = v128.load(ka), ki = v128.load(ka, 16), x = y0r;
    y0r = cmulRe(x, y0i, kr, ki); y0i = cmulIm(x, y0i, kr, ki);
    kr = v128.load(kb); ki = v128.load(kb, 16); x = y1r;
    y1r = cmulRe(x, y1i, kr, ki); y1i = cmulIm(x, y1i, kr, ki);
    kr = v128.load(kc); ki = v128.load(kc, 16); x = y2r;
    y2r = cmulRe(x, y2i, kr, ki); y2i = cmulIm(x, y2i, kr, ki);
    kr = v128.load(kd); ki = v128.load(kd, 16); x = y3r;
    y3r = cmulRe(x, y3i, kr, ki); y3i = cmulIm(x, y3i, kr, ki);
  }
  v128.store(qa + oro, y0r); v128.store(qa + oio, y0i);
  v128.store(qb + oro, y1r); v128.store(qb + oio, y1i);
  v128.store(qc + oro, y2r); v128.store(qc + oio, y2i);
  v128.store(qd + oro, y3r); v128.store(qd + oio, y3i);
}

/** Radix 8 = radix 2 then two radix-4 butterflies. Pointers p[r], q[k] come from `ptrs`. */
@inline function body8(
  ptrs: usize, t: usize, kt: usize, o: i32, ns: i32,
  ibs: usize, iro: usize, iio: usize, obs: usize, oro: usize, oio: usize, nb: i32, TW: bool, KM: bool,
): void {
  const h = f32x4.splat(H8);
  const p0 = load<usize>(ptrs), p1 = load<usize>(ptrs, 4), p2 = load<usize>(ptrs, 8), p3 = load<usize>(ptrs, 12);
  const p4 = load<usize>(ptrs, 16), p5 = load<usize>(ptrs, 20), p6 = load<usize>(ptrs, 24), p7 = load<usize>(ptrs, 28);
  const st = (<usize>ns) << 5;
  const k0 = kt + (<usize>o << 5);
  let ip: usize = 0, op: usize = 0;
  for (let b = 0; b < nb; b++) {
    let a0r = v128.load(p0 + ip + iro), a0i = v128.load(p0 + ip + iio);
    let a4r = v128.load(p4 + ip + iro), a4i = v128.load(p4 + ip + iio);
    if (TW) { const x = a4r; a4r = tw8(t, 3, x, a4i, true); a4i = tw8(t, 3, x, a4i, false); }
    const b0r = f32x4.add(a0r, a4r), b0i = f32x4.add(a0i, a4i);
    const c0r = f32x4.sub(a0r, a4r), c0i = f32x4.sub(a0i, a4i);
    let a1r = v128.load(p1 + ip + iro), a1i = v128.load(p1 + ip + iio);
    let a5r = v128.load(p5 + ip + iro), a5i = v128.load(p5 + ip + iio);
    if (TW) {
      let x = a1r; a1r = tw8(t, 0, x, a1i, true); a1i = tw8(t, 0, x, a1i, false);
      x = a5r; a5r = tw8(t, 4, x, a5i, true); a5i = tw8(t, 4, x, a5i, false);
    }
    const b1r = f32x4.add(a1r, a5r), b1i = f32x4.add(a1i, a5i);
    const e1r = f32x4.sub(a1r, a5r), e1i = f32x4.sub(a1i, a5i);
    const c1r = f32x4.mul(h, f32x4.add(e1r, e1i)), c1i = f32x4.mul(h, f32x4.sub(e1i, e1r)); // ·ω8
    let a2r = v128.load(p2 + ip + iro), a2i = v128.load(p2 + ip + iio);
    let a6r = v128.load(p6 + ip + iro), a6i = v128.load(p6 + ip + iio);
    if (TW) {
      let x = a2r; a2r = tw8(t, 1, x, a2i, true); a2i = tw8(t, 1, x, a2i, false);
      x = a6r; a6r = tw8(t, 5, x, a6i, true); a6i = tw8(t, 5, x, a6i, false);
    }
    const b2r = f32x4.add(a2r, a6r), b2i = f32x4.add(a2i, a6i);
    const c2r = f32x4.sub(a2i, a6i), c2i = f32x4.sub(a6r, a2r); // ·(−i)
    let a3r = v128.load(p3 + ip + iro), a3i = v128.load(p3 + ip + iio);
    let a7r = v128.load(p7 + ip + iro), a7i = v128.load(p7 + ip + iio);
    if (TW) {
      let x = a3r; a3r = tw8(t, 2, x, a3i, true); a3i = tw8(t, 2, x, a3i, false);
      x = a7r; a7r = tw8(t, 6, x, a7i, true); a7i = tw8(t, 6, x, a7i, false);
    }
    const b3r = f32x4.add(a3r, a7r), b3i = f32x4.add(a3i, a7i);
    const e3r = f32x4.sub(a3r, a7r), e3i = f32x4.sub(a3i, a7i);
    const c3r = f32x4.mul(h, f32x4.sub(e3i, e3r)), c3i = f32x4.neg(f32x4.mul(h, f32x4.add(e3r, e3i))); // ·ω8³
    const q0 = load<usize>(ptrs, 32) + op, q1 = load<usize>(ptrs, 36) + op, q2 = load<usize>(ptrs, 40) + op;
    const q3 = load<usize>(ptrs, 44) + op, q4 = load<usize>(ptrs, 48) + op, q5 = load<usize>(ptrs, 52) + op;
    const q6 = load<usize>(ptrs, 56) + op, q7 = load<usize>(ptrs, 60) + op;
    store4(b0r, b0i, b1r, b1i, b2r, b2i, b3r, b3i, q0, q2, q4, q6,
      k0, k0 + 2 * st, k0 + 4 * st, k0 + 6 * st, oro, oio, KM);
    store4(c0r, c0i, c1r, c1i, c2r, c2i, c3r, c3i, q1, q3, q5, q7,
      k0 + st, k0 + 3 * st, k0 + 5 * st, k0 + 7 * st, oro, oio, KM);
    ip += ibs; op += obs;
  }
}

function radix8(n: i32, ns: i32, tw: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB, ptrs = GS;
  const q = n >> 3;
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * 8 + jj;
    for (let r = 0; r < 8; r++) {
      store<usize>(ptrs + (<usize>r << 2), addr(imap, j + r * q, ib, ies));
      store<usize>(ptrs + (<usize>(r + 8) << 2), addr(omap, o + r * ns, ob, oes));
    }
    const t = tw + (<usize>(jj * 7) << 5);
    if (jj != 0 && tw != 0) {
      if (kt != 0) body8(ptrs, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, true, true);
      else body8(ptrs, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, true, false);
    } else {
      if (kt != 0) body8(ptrs, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, false, true);
      else body8(ptrs, t, kt, o, ns, ibs, iro, iio, obs, oro, oio, nb, false, false);
    }
  }
}

/** Any odd radix p: direct DFT of the p inputs with (r, p − r) pairing, via scratch GS. */
function radixGeneric(n: i32, ns: i32, tw: usize, p: i32, gt: usize): void {
  // Real parts at the (shifted) base, imaginary parts at a fixed distance from them.
  const ib = iB + iRO, ies = iES, ibs = iBS, iro: usize = 0, iio = iIO - iRO, imap = iMap;
  const ob = oB + oRO, oes = oES, obs = oBS, oro: usize = 0, oio = oIO - oRO, omap = oMap;
  const kt = kTab, nb = NB, gs = GS;
  const h = (p - 1) >> 1;
  const q = n / p;
  const sums = gs, difs = gs + (<usize>h << 5);
  for (let j = 0; j < q; j++) {
    const jj = j % ns;
    const o = (j - jj) * p + jj;
    const t = tw + (<usize>(jj * (p - 1)) << 5);
    for (let b = 0; b < nb; b++) {
      const ip = <usize>b * ibs, op = <usize>b * obs;
      const pa = addr(imap, j, ib, ies) + ip;
      const a0r = v128.load(pa + iro), a0i = v128.load(pa + iio);
      let y0r = a0r, y0i = a0i;
      for (let r = 1; r <= h; r++) {
        const pu = addr(imap, j + r * q, ib, ies) + ip;
        const pv = addr(imap, j + (p - r) * q, ib, ies) + ip;
        let ur = v128.load(pu + iro), ui = v128.load(pu + iio);
        let vr = v128.load(pv + iro), vi = v128.load(pv + iio);
        if (jj != 0 && tw != 0) {
          const tu = t + (<usize>(r - 1) << 5), tv = t + (<usize>(p - r - 1) << 5);
          let wr = v128.load(tu), wi = v128.load(tu, 16), x = ur;
          ur = cmulRe(x, ui, wr, wi); ui = cmulIm(x, ui, wr, wi);
          wr = v128.load(tv); wi = v128.load(tv, 16); x = vr;
          vr = cmulRe(x, vi, wr, wi); vi = cmulIm(x, vi, wr, wi);
        }
        const sr = f32x4.add(ur, vr), si = f32x4.add(ui, vi);
        y0r = f32x4.add(y0r, sr); y0i = f32x4.add(y0i, si);
        const so = sums + (<usize>(r - 1) << 5), dof = difs + (<usize>(r - 1) << 5);
        v128.store(so, sr); v128.store(so, si, 16);
        v128.store(dof, f32x4.sub(ur, vr)); v128.store(dof, f32x4.sub(ui, vi), 16);
      }
      for (let k = 0; k <= h; k++) {
        let er = a0r, ei = a0i, dr = f32x4.splat(0), di = dr;
        if (k == 0) { er = y0r; ei = y0i; } else {
          for (let r = 1; r <= h; r++) {
            const c = f32x4.splat(load<f32>(gt + (<usize>((r - 1) * h + k - 1) << 2)));
            const s = f32x4.splat(load<f32>(gt + (<usize>(h * h + (r - 1) * h + k - 1) << 2)));
            const so = sums + (<usize>(r - 1) << 5), dof = difs + (<usize>(r - 1) << 5);
            er = f32x4.add(er, f32x4.mul(c, v128.load(so)));
            ei = f32x4.add(ei, f32x4.mul(c, v128.load(so, 16)));
            dr = f32x4.add(dr, f32x4.mul(s, v128.load(dof)));
            di = f32x4.add(di, f32x4.mul(s, v128.load(dof, 16)));
          }
        }
        // y_k = e − i d, y_{p−k} = e + i d
        for (let side = 0; side < (k == 0 ? 1 : 2); side++) {
          const kk = side == 0 ? k : p - k;
          let yr = side == 0 ? f32x4.add(er, di) : f32x4.sub(er, di);
          let yi = side == 0 ? f32x4.sub(ei, dr) : f32x4.add(ei, dr);
          const oi = o + kk * ns;
          if (kt != 0) {
            const kp = kt + (<usize>oi << 5);
            const kr = v128.load(kp), ki = v128.load(kp, 16), x = yr;
            yr = cmulRe(x, yi, kr, ki); yi = cmulIm(x, yi, kr, ki);
          }
          const qa = addr(omap, oi, ob, oes) + op;
          v128.store(qa + oro, yr); v128.store(qa + oio, yi);
        }
      }
    }
  }
}

function runStage(f: Fft, s: i32): void {
  const p = f.radix[s], ns = f.ns[s], tw = f.tw[s], n = f.len;
  if (p == 4) radix4(n, ns, tw);
  else if (p == 8) radix8(n, ns, tw);
  else if (p == 2) radix2(n, ns, tw);
  else if (p == 3) radix3(n, ns, tw);
  else if (p == 5) radix5(n, ns, tw);
  else radixGeneric(n, ns, tw, p, f.gtab[s]);
}

/**
 * Forward DFT of length f.n of nb lines: src (es, bs, ro, io) → dst (likewise). src is
 * not modified; w1 and w2 are contiguous work buffers of f.n·nb complex values, distinct
 * from src and dst. Pass exchanged ro/io on both sides for the inverse (unscaled).
 */
export function fftLines(
  f: Fft, nb: i32,
  src: usize, ses: usize, sbs: usize, sro: usize, sio: usize,
  dst: usize, des: usize, dbs: usize, dro: usize, dio: usize,
  w1: usize, w2: usize,
): void {
  NB = nb;
  const wes = <usize>nb << 5;
  const nst = f.nst;
  if (f.kind == 1) {
    let from = src, fes = ses, fbs = sbs, fro = sro, fio = sio;
    for (let s = 0; s < nst; s++) {
      iB = from; iES = fes; iBS = fbs; iRO = fro; iIO = fio; iMap = s == 0 ? f.inF : 0;
      kTab = 0;
      if (s == nst - 1) {
        oB = dst; oES = des; oBS = dbs; oRO = dro; oIO = dio;
      } else {
        oB = (s & 1) == 0 ? w1 : w2; oES = wes; oBS = 32; oRO = 0; oIO = 16;
      }
      oMap = s == nst - 1 ? f.outF : 0;
      runStage(f, s);
      from = oB; fes = oES; fbs = oBS; fro = oRO; fio = oIO;
    }
    return;
  }
  // Rader: a[q] = x[g^{−q}], C = DFT(a)·K, X[g^m] = x[0] + IDFT(C)[m], X[0] = x[0] + A[0].
  let from = src, fes = ses, fbs = sbs, fro = sro, fio = sio;
  let buf = w1;
  for (let s = 0; s < nst; s++) {
    iB = from; iES = fes; iBS = fbs; iRO = fro; iIO = fio; iMap = s == 0 ? f.inF : 0;
    oB = buf; oES = wes; oBS = 32; oMap = s == nst - 1 ? f.outF : 0;
    // The last stage multiplies by K and stores C swapped (re ↔ im) for the inverse.
    if (s == nst - 1) { kTab = f.kern; oRO = 16; oIO = 0; } else { kTab = 0; oRO = 0; oIO = 16; }
    runStage(f, s);
    from = buf; fes = wes; fbs = 32; fro = 0; fio = 16;
    buf = buf == w1 ? w2 : w1;
  }
  // `from` holds D = swap(C). X[0] = x0 + A[0] = x0 − len·C[0];  C[0] += x0 (adds x0 to all).
  const ml = f32x4.splat(-<f32>f.len);
  for (let b = 0; b < nb; b++) {
    const xs = src + <usize>b * sbs, ds = from + (<usize>b << 5), xd = dst + <usize>b * dbs;
    const x0r = v128.load(xs + sro), x0i = v128.load(xs + sio);
    const c0r = v128.load(ds, 16), c0i = v128.load(ds);
    v128.store(xd + dro, f32x4.add(x0r, f32x4.mul(ml, c0r)));
    v128.store(xd + dio, f32x4.add(x0i, f32x4.mul(ml, c0i)));
    v128.store(ds, f32x4.add(c0i, x0i));
    v128.store(ds, f32x4.add(c0r, x0r), 16);
  }
  kTab = 0;
  for (let s = 0; s < nst; s++) {
    iB = from; iES = wes; iBS = 32; iRO = 0; iIO = 16; iMap = s == 0 ? f.inI : 0;
    if (s == nst - 1) {
      // swap back while scattering to X[g^m]
      oB = dst; oES = des; oBS = dbs; oRO = dio; oIO = dro; oMap = f.outI;
    } else {
      oB = buf; oES = wes; oBS = 32; oRO = 0; oIO = 16; oMap = 0;
    }
    runStage(f, s);
    from = buf;
    buf = buf == w1 ? w2 : w1;
  }
}
