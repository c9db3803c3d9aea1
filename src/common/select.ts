// Exact order statistics of a stream of numbers that is never held in memory at once.
//
// Every float64 maps to a 64-bit key whose unsigned order is the numbers' order (the IEEE
// trick: flip all bits of negatives, set the sign bit of positives). Each pass over the
// stream counts keys in 2^16 bins of the next 16 key bits below the prefix already fixed,
// which narrows each wanted rank to one bin; once a bin holds few enough values, one more
// pass collects them, and the rank is picked among them in memory. So the result is the
// exact k-th smallest value, the same bits as a sort or a quickselect of the whole array,
// in a few passes and bounded memory (a 2^16-bin histogram and at most `maxCollect`
// values per wanted rank). The passes' loop over the values is a strategy (`KeyCounting`):
// this file's JavaScript one by default, the Wasm kernels' one where a caller above hands
// it in (solver/method.ts).

/** Feeds every value of the stream, in any chunking and any order, to `visit`. */
export type Pass = (visit: (chunk: ArrayLike<number>) => void) => void;
/** The same, for a stream read asynchronously (files). */
export type AsyncPass = (visit: (chunk: ArrayLike<number>) => void) => Promise<void>;

/** Key bits each counting pass resolves (divides 32, so a bin never straddles the key's two words). */
export const BIN_BITS = 16;
const BINS = 1 << BIN_BITS;
const BLOCK = 4096;
/** Values one rank may collect (and sort) before its bin is split by another counting pass. */
const MAX_COLLECT = 1 << 22;
/** Values collected in memory that are sorted rather than selected among. */
const SORT_BELOW = 1 << 12;

/** One prefix's work in a pass: count the values under it by their next BIN_BITS key bits, or collect them. */
export interface PassRequest {
  /** Key bits fixed so far (a multiple of BIN_BITS, below 64). */
  readonly fixed: number;
  /** Those bits: the first min(fixed, 32) of the hi word and the rest of the lo word, each right-aligned. */
  readonly prefixHi: number;
  readonly prefixLo: number;
  /** Collect the values under the prefix, this many of them (all it holds), rather than count them. */
  readonly collect?: number;
}

/** A request's outcome: counts per bin, or the values collected (in any order) and how many matched. */
export type PassResult = { counts: Float64Array } | { values: Float64Array; matched: number };

/**
 * How passes count and collect keys. `jsKeyCounting` (below) is the default and the
 * scalar oracle; src/kernels has the same in Wasm, the same results, several times faster.
 */
export interface KeyCounting {
  /** A pass for these requests, each value v taken as |v − deviationsFrom| if that is given. */
  pass(requests: readonly PassRequest[], deviationsFrom: number | undefined): KeyPass;
}
export interface KeyPass {
  visit(chunk: ArrayLike<number>): void;
  /** The results, in the requests' order. */
  end(): PassResult[];
}

export interface SelectOptions {
  /** Rank |v − deviationsFrom| instead of v (the deviations of a MAD). */
  deviationsFrom?: number;
  counting?: KeyCounting;
  maxCollect?: number;
}

/**
 * The values of rank `ranks` (0-based, ascending order) of a stream of `total` numbers.
 * Exact; −0 ranks as +0, NaN above +∞.
 */
export function selectRanks(pass: Pass, total: number, ranks: readonly number[], opts: SelectOptions = {}): number[] {
  const sel = new RankSelection(total, ranks, opts);
  while (!sel.done()) pass((chunk) => sel.visit(chunk));
  return sel.result();
}

export async function selectRanksAsync(
  pass: AsyncPass, total: number, ranks: readonly number[], opts: SelectOptions = {},
): Promise<number[]> {
  const sel = new RankSelection(total, ranks, opts);
  while (!sel.done()) await pass((chunk) => sel.visit(chunk));
  return sel.result();
}

/** Where one wanted rank stands: the key prefix fixed so far, and the rank within it. */
interface Target {
  rank: number;
  /** High bits of the key fixed so far (as in PassRequest) and how many. */
  prefixHi: number;
  prefixLo: number;
  fixed: number;
  /** How many values carry the prefix (the whole stream at first). */
  count: number;
  /** Set once found. */
  value?: number;
}

/** One selection: `visit` every value once per pass, `done()` between passes. */
class RankSelection {
  private readonly targets: Target[];
  private readonly counting: KeyCounting;
  private readonly deviationsFrom?: number;
  private readonly maxCollect: number;
  private readonly total: number;
  private pass!: KeyPass;
  /** Per target, the request of this pass that serves it (two middle ranks usually share one). */
  private requestOf: number[] = [];
  private seen = 0;

  constructor(total: number, ranks: readonly number[], opts: SelectOptions) {
    if (!(total > 0)) throw new RangeError('order statistics of an empty stream');
    for (const r of ranks) {
      if (!Number.isSafeInteger(r) || r < 0 || r >= total) throw new RangeError(`rank ${r} outside 0..${total - 1}`);
    }
    this.total = total;
    this.counting = opts.counting ?? jsKeyCounting;
    this.deviationsFrom = opts.deviationsFrom;
    this.maxCollect = opts.maxCollect ?? MAX_COLLECT;
    this.targets = ranks.map((rank) => ({ rank, prefixHi: 0, prefixLo: 0, fixed: 0, count: total }));
    this.startPass();
  }

  done(): boolean {
    return this.targets.every((t) => t.value !== undefined);
  }

  result(): number[] {
    return this.targets.map((t) => t.value as number);
  }

  private startPass(): void {
    this.seen = 0;
    const requests: PassRequest[] = [];
    const requestOf: number[] = [];
    this.targets.forEach((t, ti) => {
      const same = this.targets.findIndex(
        (u, ui) => ui < ti && u.value === undefined && u.fixed === t.fixed && u.prefixHi === t.prefixHi && u.prefixLo === t.prefixLo,
      );
      const { fixed, prefixHi, prefixLo } = t;
      requestOf.push(t.value !== undefined ? -1 : same >= 0 ? requestOf[same]
        : requests.push({ fixed, prefixHi, prefixLo, ...(t.count <= this.maxCollect ? { collect: t.count } : {}) }) - 1);
    });
    this.requestOf = requestOf;
    this.pass = this.counting.pass(requests, this.deviationsFrom);
  }

  visit(chunk: ArrayLike<number>): void {
    this.pass.visit(chunk);
    this.seen += chunk.length;
    if (this.seen === this.total) this.endPass();
    else if (this.seen > this.total) throw new RangeError(`stream gave ${this.seen} values, expected ${this.total}`);
  }

  private endPass(): void {
    const results = this.pass.end();
    results.forEach((r, ri) => {
      if (!('values' in r)) return;
      const served = this.targets.filter((t, ti) => this.requestOf[ti] === ri);
      if (r.matched !== served[0].count) throw new RangeError('the stream changed between passes');
      const ranks = served.map((t) => t.rank);
      const values = pickRanks(r.values, ranks, this.counting);
      served.forEach((t, i) => (t.value = values[i]));
    });
    for (let ti = 0; ti < this.targets.length; ti++) {
      const t = this.targets[ti];
      if (t.value !== undefined) continue;
      const r = results[this.requestOf[ti]];
      if ('values' in r) continue;
      const hist = r.counts;
      let below = 0;
      let bin = 0;
      while (bin < BINS && below + hist[bin] <= t.rank) below += hist[bin++];
      if (bin === BINS) throw new RangeError('the stream changed between passes');
      t.rank -= below;
      t.count = hist[bin];
      setBin(t, bin);
      if (t.fixed === 64) t.value = valueOfKey(t.prefixHi, t.prefixLo);
    }
    if (!this.done()) this.startPass();
  }
}

/**
 * The values of `ranks` among values in memory (canonical: as a pass collects them): a
 * sort if they are few, else a selection over them, several times cheaper than sorting
 * the million-odd values a collecting pass may bring back.
 */
function pickRanks(values: Float64Array, ranks: number[], counting: KeyCounting): number[] {
  if (values.length <= SORT_BELOW) {
    values.sort();
    return ranks.map((r) => values[r]);
  }
  return selectRanks((visit) => visit(values), values.length, ranks, { counting, maxCollect: SORT_BELOW });
}

/** The passes in JavaScript: the default, and the oracle of the Wasm ones (assembly/select.ts). */
export const jsKeyCounting: KeyCounting = {
  pass: (requests, deviationsFrom) => new JsKeyPass(requests, deviationsFrom),
};

class JsKeyPass implements KeyPass {
  /** Scratch: a block of mapped values and its key words. */
  private readonly f64 = new Float64Array(BLOCK);
  private readonly u32 = new Uint32Array(this.f64.buffer);
  private readonly counts: (Float64Array | undefined)[];
  private readonly values: (Float64Array | undefined)[];
  private readonly matched: number[];

  constructor(private readonly requests: readonly PassRequest[], private readonly deviationsFrom: number | undefined) {
    this.counts = requests.map((r) => (r.collect === undefined ? new Float64Array(BINS) : undefined));
    this.values = requests.map((r) => (r.collect === undefined ? undefined : new Float64Array(r.collect)));
    this.matched = requests.map(() => 0);
  }

  visit(chunk: ArrayLike<number>): void {
    const n = chunk.length;
    const f = this.f64;
    const c = this.deviationsFrom;
    for (let start = 0; start < n; start += BLOCK) {
      const m = Math.min(BLOCK, n - start);
      for (let i = 0; i < m; i++) {
        const v = c === undefined ? chunk[start + i] : Math.abs(chunk[start + i] - c);
        f[i] = v === 0 ? 0 : v === v ? v : NaN; // −0 ranks as +0; every NaN as one NaN, last
      }
      this.block(m);
    }
  }

  /** Counts or collects the first `m` values of the scratch block for every request. */
  private block(m: number): void {
    const u = this.u32;
    const f = this.f64;
    for (let ri = 0; ri < this.requests.length; ri++) {
      const r = this.requests[ri];
      const hist = this.counts[ri];
      const out = this.values[ri];
      for (let i = 0; i < m; i++) {
        // Order-preserving key: little-endian words, lo at 2i, hi at 2i + 1.
        let hi = u[2 * i + 1];
        let lo = u[2 * i];
        if (hi & 0x80000000) {
          hi = ~hi >>> 0;
          lo = ~lo >>> 0;
        } else hi = (hi | 0x80000000) >>> 0;
        if (!matches(hi, lo, r)) continue;
        if (hist) hist[binOf(hi, lo, r.fixed)]++;
        else if (out) out[this.matched[ri]++] = f[i];
      }
    }
  }

  end(): PassResult[] {
    return this.requests.map((_, ri) => {
      const counts = this.counts[ri];
      return counts ? { counts } : { values: this.values[ri] as Float64Array, matched: this.matched[ri] };
    });
  }
}

/** Whether the key (hi, lo) starts with the request's fixed prefix. */
function matches(hi: number, lo: number, r: PassRequest): boolean {
  const f = r.fixed;
  if (f === 0) return true;
  if (f <= 32) return (f === 32 ? hi : hi >>> (32 - f)) === r.prefixHi;
  return hi === r.prefixHi && lo >>> (64 - f) === r.prefixLo;
}

/** The next BIN_BITS key bits after the first `fixed` ones (BIN_BITS divides 32: no straddling). */
function binOf(hi: number, lo: number, fixed: number): number {
  return fixed < 32 ? (hi >>> (32 - fixed - BIN_BITS)) & (BINS - 1) : (lo >>> (64 - fixed - BIN_BITS)) & (BINS - 1);
}

/** Appends BIN_BITS bits (`bin`) to the target's prefix. */
function setBin(t: Target, bin: number): void {
  if (t.fixed < 32) t.prefixHi = ((t.prefixHi << BIN_BITS) | bin) >>> 0;
  else t.prefixLo = ((t.prefixLo << BIN_BITS) | bin) >>> 0;
  t.fixed += BIN_BITS;
}

/** The number whose key is the full 64-bit prefix (every value left in the bin is it). */
function valueOfKey(hi: number, lo: number): number {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  if (hi & 0x80000000) {
    u[1] = (hi & 0x7fffffff) >>> 0;
    u[0] = lo;
  } else {
    u[1] = ~hi >>> 0;
    u[0] = ~lo >>> 0;
  }
  return f[0];
}
