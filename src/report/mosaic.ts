/**
 * Image mosaic as a PNG: one row per sampled object, columns observed / deconvolved /
 * truth / residual Y − H X̂ / PSF (whichever are given). Each row is scaled by the
 * object's peak (the largest of its observed, deconvolved and truth values) so its
 * columns compare directly, and the residual shares that scale; the PSF is scaled by its
 * own peak. A signed colour map puts zero at black (positive: black → red → yellow →
 * white; negative: black → blue), through a named stretch (asinh, sqrt or linear), with
 * a colour bar. Labels use an embedded 5×7 bitmap font. Non-finite pixels are magenta.
 */
import { encodePng } from './png.ts';

export const STRETCHES = ['asinh', 'sqrt', 'linear'] as const;
export type Stretch = (typeof STRETCHES)[number];

/** One object of the mosaic: its stamps (ny × nx each) and, with truth, its scores. */
export interface MosaicRow {
  /** Object index in the stack (the row's label). */
  id: number;
  observed?: ArrayLike<number>;
  estimate?: ArrayLike<number>;
  truth?: ArrayLike<number>;
  /** Y − H X̂ */
  residual?: ArrayLike<number>;
  psf?: { data: ArrayLike<number>; ky: number; kx: number };
  nmse?: number;
  ellipticityError?: number;
}

export interface MosaicOptions {
  /** Integer upscaling factor (default: about 160 px per stamp). */
  scale?: number;
  /** Display stretch (default 'asinh'). */
  stretch?: Stretch;
  /** First line of the picture. */
  title?: string;
  /** zlib level of the PNG (default 9; the live view, which redraws every second, uses 1). */
  level?: number;
}

// 5×7 font: for each character, 7 rows of 5 bits (MSB = left), as 14 hex digits.
const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz _-.#?:/(),=+';
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
  '0a0a1f0a1f0a0a0e110102040004000c0c000c0c0000010204081000' +
  '0204080808040208040202020408000000000c040800001f001f00000004041f040400';

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
    this.block(0, 0, w, h, bg);
  }
  /** Fills a w × h rectangle at (x, y), clipped to the canvas. */
  block(x: number, y: number, w: number, h: number, c: RGB): void {
    const [r, g, b] = c;
    const x1 = Math.min(this.w, x + w);
    for (let yy = Math.max(0, y); yy < Math.min(this.h, y + h); yy++) {
      for (let o = (yy * this.w + Math.max(0, x)) * 3, end = (yy * this.w + x1) * 3; o < end; o += 3) {
        this.px[o] = r;
        this.px[o + 1] = g;
        this.px[o + 2] = b;
      }
    }
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

/** asinh softening, as a fraction of the peak: features down to ~5 % of it stay visible. */
const ASINH_BETA = 0.05;

/** The stretch of t = value / peak, odd in t, with f(0) = 0 and f(±1) = ±1. */
export function stretchOf(stretch: Stretch): (t: number) => number {
  switch (stretch) {
    case 'asinh': {
      const norm = Math.asinh(1 / ASINH_BETA);
      return (t) => Math.asinh(t / ASINH_BETA) / norm;
    }
    case 'sqrt':
      return (t) => Math.sign(t) * Math.sqrt(Math.abs(t));
    case 'linear':
      return (t) => t;
  }
}

/** How the stretch is named in pictures. */
export function stretchLabel(stretch: Stretch): string {
  return stretch === 'asinh' ? `asinh stretch (softening ${ASINH_BETA} of the peak)` : `${stretch} stretch`;
}

type RGBf = [number, number, number];
const HOT: RGBf[] = [[0, 0, 0], [0.55, 0.06, 0.02], [0.93, 0.36, 0.05], [1, 0.82, 0.3], [1, 1, 1]];
const COLD: RGBf[] = [[0, 0, 0], [0.05, 0.2, 0.55], [0.35, 0.65, 1]];

function ramp(stops: RGBf[], u: number): RGB {
  const x = Math.min(1, Math.max(0, u)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i], b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(255 * (a[k] + f * (b[k] - a[k])))) as RGB;
}

const LEVELS = 2048;
const LUT: RGB[] = Array.from({ length: 2 * LEVELS + 1 }, (_, k) => {
  const s = k / LEVELS - 1;
  return s >= 0 ? ramp(HOT, s) : ramp(COLD, -s);
});

/** The colour of a stretched value s in [−1, 1]: zero is black, whatever the stretch. */
export function colourOf(s: number): RGB {
  if (!Number.isFinite(s)) return BAD;
  return LUT[Math.round((Math.min(1, Math.max(-1, s)) + 1) * LEVELS)];
}

const BG: RGB = [24, 26, 32];
const TEXT: RGB = [235, 235, 235];
const DIM: RGB = [160, 164, 176];
const BAD: RGB = [255, 0, 255];
const SEP = 4;
/** Values below −NEG_RANGE × peak are clipped (the colour bar shows this range). */
const NEG_RANGE = 0.25;

const COLUMNS: { key: 'observed' | 'estimate' | 'truth' | 'residual' | 'psf'; title: string }[] = [
  { key: 'observed', title: 'observed Y' },
  { key: 'estimate', title: 'deconvolved X' },
  { key: 'truth', title: 'truth' },
  { key: 'residual', title: 'residual Y-HX' },
  { key: 'psf', title: 'PSF' },
];

function peakOf(...stamps: (ArrayLike<number> | undefined)[]): number {
  let hi = -Infinity;
  for (const a of stamps) if (a) for (let i = 0; i < a.length; i++) if (+a[i] > hi) hi = +a[i];
  return Number.isFinite(hi) && hi > 0 ? hi : 1;
}

/** Short number for labels: 3 significant digits. */
function short(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(1).replace('e', 'e') : String(Number(v.toPrecision(3)));
}

/** A PNG mosaic of `rows` (stamps ny × nx) with the columns that any row has. */
export function mosaicPng(rows: MosaicRow[], ny: number, nx: number, opts: MosaicOptions = {}): Uint8Array {
  if (rows.length === 0) throw new RangeError('mosaicPng: no objects');
  const cols = COLUMNS.filter((c) => rows.some((r) => r[c.key] !== undefined));
  if (cols.length === 0) throw new RangeError('mosaicPng: no panels');
  for (const r of rows) {
    for (const c of cols) {
      const v = r[c.key];
      if (v === undefined) continue;
      if (c.key === 'psf') {
        const p = v as NonNullable<MosaicRow['psf']>;
        if (p.data.length !== p.ky * p.kx || p.ky > ny || p.kx > nx) throw new RangeError(`mosaicPng: object ${r.id}: bad PSF ${p.ky}×${p.kx}`);
      } else if ((v as ArrayLike<number>).length !== ny * nx) {
        throw new RangeError(`mosaicPng: object ${r.id}: ${c.title} has ${(v as ArrayLike<number>).length} values, expected ${ny}×${nx}`);
      }
    }
  }
  const scale = opts.scale ?? Math.max(1, Math.round(160 / Math.max(ny, nx)));
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) throw new RangeError(`mosaicPng: bad scale ${scale}`);
  const stretch = opts.stretch ?? 'asinh';
  const f = stretchOf(stretch);

  const fs = 2;
  const lineH = (GH + 3) * fs;
  const sw = nx * scale, sh = ny * scale;
  const withScores = rows.some((r) => r.nmse !== undefined);
  const labelLines = rows.map((r) => [`#${r.id}`, ...(withScores ? [`NMSE ${short(r.nmse ?? NaN)}`, `de ${short(r.ellipticityError ?? NaN)}`] : [])]);
  const labelW = Math.max(textWidth('object', fs), ...labelLines.flat().map((l) => textWidth(l, fs))) + 8 * fs;
  const colW = Math.max(sw, ...cols.map((c) => textWidth(c.title, 1) + 4));
  const headerFs = cols.every((c) => textWidth(c.title, fs) <= colW) ? fs : 1;
  const titleH = opts.title ? 2 * lineH + 6 : 6;
  const headerH = lineH + 4;
  const barH = 16 * fs, barBlock = barH + 3 * lineH + 10;
  const W = labelW + cols.length * (colW + SEP) + SEP;
  const gridH = rows.length * (sh + SEP);
  const H = titleH + headerH + gridH + barBlock;
  const cv = new Canvas(W, H, BG);

  if (opts.title) {
    cv.text(SEP * 2, 6, opts.title, fs, TEXT);
    cv.text(SEP * 2, 6 + lineH, `${stretchLabel(stretch)}, each row scaled by its peak, the PSF by its own`, 1, DIM);
  }
  const colX = (j: number) => labelW + SEP + j * (colW + SEP);
  cols.forEach((c, j) => {
    const t = c.title;
    cv.text(colX(j) + Math.floor((colW - textWidth(t, headerFs)) / 2), titleH + Math.floor((headerH - GH * headerFs) / 2), t, headerFs, TEXT);
  });
  cv.text(SEP * 2, titleH + Math.floor((headerH - GH * fs) / 2), 'object', fs, DIM);

  rows.forEach((r, k) => {
    const y0 = titleH + headerH + k * (sh + SEP);
    labelLines[k].forEach((l, i) => cv.text(SEP * 2, y0 + 4 + i * lineH, l, fs, i === 0 ? TEXT : DIM));
    const peak = peakOf(r.observed, r.estimate, r.truth);
    cols.forEach((c, j) => {
      const x0 = colX(j) + Math.floor((colW - sw) / 2);
      if (c.key === 'psf') {
        if (!r.psf) return;
        const { data, ky, kx } = r.psf;
        const pk = peakOf(data);
        // centred in the stamp's cell, zero around it
        const oy = (ny - ky) >> 1, ox = (nx - kx) >> 1;
        cv.block(x0, y0, sw, sh, colourOf(0));
        for (let a = 0; a < ky; a++) for (let b = 0; b < kx; b++) {
          cv.block(x0 + (ox + b) * scale, y0 + (oy + a) * scale, scale, scale, colourOf(clipS(f, +data[a * kx + b] / pk)));
        }
        return;
      }
      const img = r[c.key];
      if (!img) {
        cv.block(x0, y0, sw, sh, BG);
        return;
      }
      for (let a = 0; a < ny; a++) for (let b = 0; b < nx; b++) {
        cv.block(x0 + b * scale, y0 + a * scale, scale, scale, colourOf(clipS(f, +img[a * nx + b] / peak)));
      }
    });
  });

  // colour bar: value / peak from −NEG_RANGE to 1, through the stretch
  const by = titleH + headerH + gridH + lineH;
  const bx = labelW + SEP, bw = W - bx - 3 * SEP;
  const s0 = f(-NEG_RANGE);
  const at = (t: number) => bx + Math.round(((f(t) - s0) / (1 - s0)) * (bw - 1));
  for (let x = 0; x < bw; x++) {
    const s = s0 + (x / (bw - 1)) * (1 - s0);
    cv.block(bx + x, by, 1, barH, colourOf(s));
  }
  const ticks = stretch === 'linear' ? [-0.2, 0, 0.25, 0.5, 0.75, 1] : stretch === 'sqrt' ? [-0.2, 0, 0.05, 0.25, 0.5, 1] : [-0.2, 0, 0.02, 0.1, 0.3, 1];
  for (const t of ticks) {
    const x = at(t);
    cv.block(x, by + barH, 1, 4, TEXT);
    const l = String(t);
    cv.text(Math.min(W - textWidth(l, fs) - 2, Math.max(0, x - (textWidth(l, fs) >> 1))), by + barH + 6, l, fs, TEXT);
  }
  cv.text(SEP * 2, by + Math.floor((barH - GH * fs) / 2), 'scale', fs, DIM);
  const caption = `value / row peak (${stretch}), 0 is black, below -${NEG_RANGE} clipped, magenta: not finite`;
  cv.text(bx, by + barH + 6 + lineH, caption, 1, DIM);
  return encodePng(W, H, cv.px, 3, opts.level ?? 9);
}

function clipS(f: (t: number) => number, t: number): number {
  if (!Number.isFinite(t)) return NaN;
  return f(Math.min(1, Math.max(-NEG_RANGE, t)));
}
