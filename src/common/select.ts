// Exact order statistics of a stream of numbers that is never held in memory at once.
//
// Every float64 maps to a 64-bit key whose unsigned order is the numbers' order (the IEEE
// trick: flip all bits of negatives, set the sign bit of positives). Each pass over the
// stream counts keys in 2^16 bins of the next 16 key bits below the prefix already fixed,
// which narrows each wanted rank to one bin; once a bin holds few enough values, one more
// pass collects them and sorts. So the result is the exact k-th smallest value, the same
// bits as a sort or a quickselect of the whole array, in a few passes and bounded memory
// (a 2^16-bin histogram and at most `maxCollect` values per wanted rank).

/** Feeds every value of the stream, in any chunking and any order, to `visit`. */
export type Pass = (visit: (chunk: ArrayLike<number>) => void) => void;
/** The same, for a stream read asynchronously (files). */
export type AsyncPass = (visit: (chunk: ArrayLike<number>) => void) => Promise<void>;

const BITS = 16; // divides 32, so a bin never straddles the key's two words
const BINS = 1 << BITS;
const BLOCK = 4096;
/** Values one rank may collect (and sort) before its bin is split by another counting pass. */
const MAX_COLLECT = 1 << 22;

/** Where one wanted rank stands: the key prefix fixed so far, and the rank within it. */
interface Target {
  rank: number;
  /** High bits of the key fixed so far (hi word, lo word) and how many. */
  prefixHi: number;
  prefixLo: number;
  fixed: number;
  /** How many values carry the prefix (the whole stream at first). */
  count: number;
  /** Set once found. */
  value?: number;
}

/**
 * The values of rank `ranks` (0-based, ascending order) of a stream of `total` numbers,
 * each transformed by `map` first (e.g. |v − m|). Exact; −0 ranks as +0, NaN above +∞.
 */
export function selectRanks(
  pass: Pass, total: number, ranks: readonly number[], map?: (v: number) => number, maxCollect = MAX_COLLECT,
): number[] {
  const sel = new RankSelection(total, ranks, map, maxCollect);
  while (!sel.done()) pass((chunk) => sel.visit(chunk));
  return sel.result();
}

export async function selectRanksAsync(
  pass: AsyncPass, total: number, ranks: readonly number[], map?: (v: number) => number, maxCollect = MAX_COLLECT,
): Promise<number[]> {
  const sel = new RankSelection(total, ranks, map, maxCollect);
  while (!sel.done()) await pass((chunk) => sel.visit(chunk));
  return sel.result();
}

/** One selection: `visit` every value once per pass, `done()` between passes. */
class RankSelection {
  private readonly targets: Target[];
  private readonly map?: (v: number) => number;
  /** Scratch: a block of mapped values and its key words. */
  private readonly f64 = new Float64Array(BLOCK);
  private readonly u32 = new Uint32Array(this.f64.buffer);
  /** Per pass: for each open target, either a histogram or a list of collected values. */
  private hist: (Float64Array | undefined)[] = [];
  private collected: (Float64Array | undefined)[] = [];
  private filled: number[] = [];
  /** The target whose counts a target shares this pass (itself, or one at the same prefix). */
  private owner: number[] = [];
  private seen = 0;
  private readonly total: number;

  constructor(total: number, ranks: readonly number[], map: ((v: number) => number) | undefined, private readonly maxCollect: number) {
    if (!(total > 0)) throw new RangeError('order statistics of an empty stream');
    for (const r of ranks) {
      if (!Number.isSafeInteger(r) || r < 0 || r >= total) throw new RangeError(`rank ${r} outside 0..${total - 1}`);
    }
    this.total = total;
    this.map = map;
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
    this.hist = [];
    this.collected = [];
    this.filled = [];
    this.owner = [];
    this.targets.forEach((t, ti) => {
      const open = t.value === undefined;
      const collect = open && t.count <= this.maxCollect;
      // Two middle ranks usually share their bins: count them once.
      const same = this.targets.findIndex(
        (u, ui) => ui < ti && u.value === undefined && u.fixed === t.fixed && u.prefixHi === t.prefixHi && u.prefixLo === t.prefixLo,
      );
      this.owner.push(open && same >= 0 ? same : ti);
      const own = open && same < 0;
      this.collected.push(own && collect ? new Float64Array(t.count) : undefined);
      this.hist.push(own && !collect ? new Float64Array(BINS) : undefined);
      this.filled.push(0);
    });
  }

  visit(chunk: ArrayLike<number>): void {
    const n = chunk.length;
    for (let start = 0; start < n; start += BLOCK) {
      const m = Math.min(BLOCK, n - start);
      const f = this.f64;
      for (let i = 0; i < m; i++) {
        const v = this.map ? this.map(chunk[start + i]) : chunk[start + i];
        f[i] = v === 0 ? 0 : v === v ? v : NaN; // −0 ranks as +0; every NaN as one NaN, last
      }
      this.block(m);
    }
    this.seen += n;
    if (this.seen === this.total) this.endPass();
    else if (this.seen > this.total) throw new RangeError(`stream gave ${this.seen} values, expected ${this.total}`);
  }

  /** Counts or collects the first `m` values of the scratch block for every open target. */
  private block(m: number): void {
    const u = this.u32;
    const f = this.f64;
    for (let ti = 0; ti < this.targets.length; ti++) {
      const t = this.targets[ti];
      if (t.value !== undefined || this.owner[ti] !== ti) continue;
      const hist = this.hist[ti];
      const out = this.collected[ti];
      for (let i = 0; i < m; i++) {
        // Order-preserving key: little-endian words, lo at 2i, hi at 2i + 1.
        let hi = u[2 * i + 1];
        let lo = u[2 * i];
        if (hi & 0x80000000) {
          hi = ~hi >>> 0;
          lo = ~lo >>> 0;
        } else hi = (hi | 0x80000000) >>> 0;
        if (!matches(hi, lo, t)) continue;
        if (hist) hist[binOf(hi, lo, t.fixed)]++;
        else if (out) out[this.filled[ti]++] = f[i];
      }
    }
  }

  private endPass(): void {
    for (let ti = 0; ti < this.targets.length; ti++) {
      const t = this.targets[ti];
      if (t.value !== undefined) continue;
      const o = this.owner[ti];
      const out = this.collected[o];
      if (out) {
        if (this.filled[o] !== t.count) throw new RangeError('the stream changed between passes');
        if (o === ti) out.sort();
        t.value = out[t.rank];
        continue;
      }
      const hist = this.hist[o] as Float64Array;
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

/** Whether the key (hi, lo) starts with the target's fixed prefix. */
function matches(hi: number, lo: number, t: Target): boolean {
  const f = t.fixed;
  if (f === 0) return true;
  if (f <= 32) return (f === 32 ? hi : hi >>> (32 - f)) === t.prefixHi;
  return hi === t.prefixHi && lo >>> (64 - f) === t.prefixLo;
}

/** The next BITS key bits after the first `fixed` ones (BITS divides 32: no straddling). */
function binOf(hi: number, lo: number, fixed: number): number {
  return fixed < 32 ? (hi >>> (32 - fixed - BITS)) & (BINS - 1) : (lo >>> (64 - fixed - BITS)) & (BINS - 1);
}

/** Appends BITS bits (`bin`) to the target's prefix. */
function setBin(t: Target, bin: number): void {
  if (t.fixed < 32) t.prefixHi = ((t.prefixHi << BITS) | bin) >>> 0;
  else t.prefixLo = ((t.prefixLo << BITS) | bin) >>> 0;
  t.fixed += BITS;
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
