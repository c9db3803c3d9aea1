/**
 * Image mosaic as a PNG: rows are a sample of objects, columns are panels (e.g. observed /
 * deconvolved / truth). Each stamp is upscaled by an integer factor with nearest neighbour;
 * the display stretch is per object and shared by all of that object's panels, so the
 * columns of one row compare directly. Column titles and row labels (`#index`) use an
 * embedded 5×7 bitmap font. Non-finite pixels show in red.
 */
import { encodePng } from './png.ts';

export interface MosaicPanel {
  title: string;
  stack: ArrayLike<number>;
}

export interface MosaicOptions {
  /** Object indices to show, one row each (default: up to 8 evenly spaced indices). */
  sample?: number[];
  /** Integer upscaling factor (default 4). */
  scale?: number;
  /** Display stretch (default 'asinh'). */
  stretch?: 'asinh' | 'linear';
  /** Low cut: this percentile of the object's first panel (default 1). */
  lowPercentile?: number;
}

// 5×7 font: for each character, 7 rows of 5 bits (MSB = left), as 14 hex digits.
const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz _-.#?:/';
const GLYPHS =
  '0e11131519110e040c040404040e0e11010204081f1f02040201110e02060a121f02021f101e0101110e' +
  '0608101e11110e1f0102040808080e11110e11110e0e11110f01020c0e11111f1111111e11111e11111e' +
  '0e11101010110e1c12111111121c1f10101e10101f1f10101e1010100e11101711110f1111111f111111' +
  '0e04040404040e0702020202120c111214181412111010101010101f111b151511111111111915131111' +
  '0e11111111110e1e11111e1010100e11111115120d1e11111e1412110f10100e01011e1f040404040404' +
  '1111111111110e11111111110a041111111515150a11110a040a11111111110a0404041f01020408101f' +
  '00000e010f110f1010161911111e00000e1010110e01010d1311110f00000e111f100e0609081c080808' +
  '000f11110f010e1010161911111104000c0404040e0200060202120c101012141814120c04040404040e' +
  '00001a151511110000161911111100000e1111110e001e11111e1010000f11110f010100001619101010' +
  '00000f100e011e08081c080809060000111111130d00001111110a040000111115150a0000110a040a11' +
  '001111110f010e00001f0204081f000000000000000000000000001f0000001f00000000000000000c0c' +
  '0a0a1f0a1f0a0a0e110102040004000c0c000c0c0000010204081000';

const GW = 5, GH = 7, ADV = 6;
if (GLYPHS.length !== CHARS.length * GH * 2) throw new Error('mosaic: corrupt font table');

function glyphRows(ch: string): number[] {
  let k = CHARS.indexOf(ch);
  if (k < 0) k = CHARS.indexOf('?');
  const rows: number[] = [];
  for (let r = 0; r < GH; r++) {
    const o = (k * GH + r) * 2;
    rows.push(parseInt(GLYPHS.slice(o, o + 2), 16));
  }
  return rows;
}

type RGB = [number, number, number];

class Canvas {
  readonly px: Uint8Array;
  constructor(readonly w: number, readonly h: number, bg: RGB) {
    this.px = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) this.px.set(bg, i * 3);
  }
  set(x: number, y: number, c: RGB): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const o = (y * this.w + x) * 3;
    this.px[o] = c[0];
    this.px[o + 1] = c[1];
    this.px[o + 2] = c[2];
  }
  /** Draw `text` with its top-left corner at (x, y), each font pixel as an fs×fs block. */
  text(x: number, y: number, text: string, fs: number, col: RGB): void {
    for (let i = 0; i < text.length; i++) {
      const rows = glyphRows(text[i]);
      const gx = x + i * ADV * fs;
      for (let r = 0; r < GH; r++) {
        for (let b = 0; b < GW; b++) {
          if (!((rows[r] >> (GW - 1 - b)) & 1)) continue;
          for (let dy = 0; dy < fs; dy++) for (let dx = 0; dx < fs; dx++) this.set(gx + b * fs + dx, y + r * fs + dy, col);
        }
      }
    }
  }
}

/** Width in pixels of `text` in the 5×7 font at scale fs (no trailing gap). */
export function textWidth(text: string, fs: number): number {
  return text.length === 0 ? 0 : (text.length * ADV - 1) * fs;
}

/** Up to `k` evenly spaced indices in [0, n), first and last included. */
export function evenSample(n: number, k = 8): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1)));
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

const BG: RGB = [36, 38, 46];
const TEXT: RGB = [232, 232, 232];
const BAD: RGB = [220, 30, 30];
const SEP = 2;

/**
 * A PNG mosaic of `panels` (columns) for a sample of objects (rows). All panel stacks are
 * `n × ny × nx`, object-major. Per object, values map to grey between `lo` (a low
 * percentile of the first panel) and `hi` (the maximum over all panels of that object),
 * with an asinh (default) or linear stretch.
 */
export function mosaicPng(
  panels: MosaicPanel[],
  n: number,
  ny: number,
  nx: number,
  opts: MosaicOptions = {},
): Uint8Array {
  if (panels.length === 0) throw new RangeError('mosaicPng: no panels');
  for (const p of panels) {
    if (p.stack.length !== n * ny * nx) {
      throw new RangeError(`mosaicPng: panel "${p.title}" has ${p.stack.length} values, expected ${n}×${ny}×${nx}`);
    }
  }
  const scale = opts.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new RangeError(`mosaicPng: bad scale ${scale}`);
  const sample = opts.sample ?? evenSample(n);
  if (sample.length === 0) throw new RangeError('mosaicPng: empty sample');
  for (const i of sample) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`mosaicPng: object index ${i} out of range [0, ${n})`);
  }
  const stretch = opts.stretch ?? 'asinh';
  const lowP = opts.lowPercentile ?? 1;

  const sw = nx * scale;
  const sh = ny * scale;
  // font scale: 2 when the stamps are wide enough for it
  const fs = sw >= 120 ? 2 : 1;
  const headerH = GH * fs + 8 * fs;
  const labels = sample.map((i) => `#${i}`);
  const labelW = Math.max(...labels.map((l) => textWidth(l, fs))) + 6 * fs;
  const W = labelW + SEP + panels.length * (sw + SEP);
  const H = headerH + SEP + sample.length * (sh + SEP);
  const cv = new Canvas(W, H, BG);

  // column titles, centred, truncated to the stamp width
  panels.forEach((p, j) => {
    let t = p.title;
    while (t.length > 1 && textWidth(t, fs) > sw - 2) t = t.slice(0, -1);
    const x0 = labelW + SEP + j * (sw + SEP);
    cv.text(x0 + Math.floor((sw - textWidth(t, fs)) / 2), Math.floor((headerH - GH * fs) / 2), t, fs, TEXT);
  });

  const size = ny * nx;
  sample.forEach((obj, row) => {
    const y0 = headerH + SEP + row * (sh + SEP);
    cv.text(3 * fs, y0 + Math.floor((sh - GH * fs) / 2), labels[row], fs, TEXT);
    // stretch shared by this object's panels
    const first = panels[0].stack;
    const vals: number[] = [];
    for (let p = obj * size; p < (obj + 1) * size; p++) {
      const v = +first[p];
      if (Number.isFinite(v)) vals.push(v);
    }
    let lo = percentile(Float64Array.from(vals).sort(), lowP);
    let hi = -Infinity;
    for (const pan of panels) {
      for (let p = obj * size; p < (obj + 1) * size; p++) {
        const v = +pan.stack[p];
        if (Number.isFinite(v) && v > hi) hi = v;
      }
    }
    if (!Number.isFinite(lo)) lo = 0;
    if (!Number.isFinite(hi) || !(hi > lo)) hi = lo + 1;
    const range = hi - lo;
    const soft = range * 0.02;
    const norm = Math.asinh(range / soft);
    const map = (v: number): number => {
      const t = Math.max(0, v - lo);
      const u = stretch === 'asinh' ? Math.asinh(t / soft) / norm : t / range;
      return Math.round(255 * Math.min(1, u));
    };
    panels.forEach((pan, j) => {
      const x0 = labelW + SEP + j * (sw + SEP);
      for (let r = 0; r < ny; r++) {
        for (let cc = 0; cc < nx; cc++) {
          const v = +pan.stack[obj * size + r * nx + cc];
          let col: RGB;
          if (Number.isFinite(v)) {
            const g = map(v);
            col = [g, g, g];
          } else col = BAD;
          for (let dy = 0; dy < scale; dy++) {
            const o = ((y0 + r * scale + dy) * W + x0 + cc * scale) * 3;
            for (let dx = 0; dx < scale; dx++) cv.px.set(col, o + dx * 3);
          }
        }
      }
    });
  });
  return encodePng(W, H, cv.px, 3);
}
