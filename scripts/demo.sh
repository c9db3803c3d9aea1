#!/usr/bin/env bash
# The demo: simulate ~1,000 galaxies with a space-variant PSF, deconvolve them on all
# cores, and write FITS, a report and plots to demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
OUT=demo-output
[ -f build/galdecon.wasm ] || npm run --silent build
mkdir -p "$OUT"
node bin/galdecon.js simulate --n "$N" --seed 2017 --out "$OUT" --overwrite
node bin/galdecon.js run \
  --input "$OUT/observed.fits" --psf "$OUT/psfs.fits" --truth "$OUT/truth.fits" \
  --output "$OUT/deconvolved.fits" --report "$OUT/report.json" --plots "$OUT/plots" --overwrite
echo
echo "Open $OUT/deconvolved.fits in DS9 or astropy; look at $OUT/plots/mosaic.png and $OUT/plots/cost.svg;"
echo "the numbers are in $OUT/report.json."
