#!/usr/bin/env python3
"""Self-check of the NumPy peer against the reference data.

    python3 bench/peer/test_peer.py          (no pytest needed; ~30 s on 1 core)

Prints one line per check; exits 1 if any check fails.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import galdecon_numpy as gd  # noqa: E402

EX = HERE.parents[1] / "test" / "fixtures" / "example"
REF = EX / "reference"
FAILS = []


def check(name, value, limit):
    ok = bool(np.isfinite(value) and value <= limit)
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.3e} (limit {limit:.0e})")
    if not ok:
        FAILS.append(name)


def check_eq(name, got, want, show=None):
    ok = got == want
    shown = show(got) if show else repr(got)
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {shown}" + ("" if ok else f" (want {want!r})"))
    if not ok:
        FAILS.append(name)


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def rel_max(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def naive_run(y, psf, wavelet, n_iter, n_reweights, kappa=(3.0, 3.0, 4.0)):
    """Plain transcription of ALGORITHM.md sections 2-8 (np.roll a trous, spatial
    cost, Phi(2x~ - x) and Phi(x) computed directly), tolerance 0."""
    h = {"linear": [0.25, 0.5, 0.25], "b3": [1 / 16, 1 / 4, 3 / 8, 1 / 4, 1 / 16]}[wavelet]
    m = len(h) // 2

    def smooth(c, s):
        b = sum(h[t + m] * np.roll(c, -t * 2 ** s, axis=-1) for t in range(-m, m + 1))
        return sum(h[t + m] * np.roll(b, -t * 2 ** s, axis=-2) for t in range(-m, m + 1))

    def phi(x):
        out, c = [], x
        for s in range(3):
            nxt = smooth(c, s)
            out.append(c - nxt)
            c = nxt
        return np.stack(out, axis=1)                        # (N, J, ny, nx)

    def phit(u):
        v = np.zeros(u.shape[:1] + u.shape[2:])
        for s in (2, 1, 0):
            v = smooth(v, s) + u[:, s] - smooth(u[:, s], s)
        return v

    n, ny, nx = y.shape
    ky, kx = psf.shape[-2:]
    e = np.zeros((n, ny, nx))
    e[:, :ky, :kx] = psf
    e = np.roll(e, (-(ky // 2), -(kx // 2)), axis=(1, 2))
    ph = np.fft.fft2(e)
    H = lambda x: np.fft.ifft2(ph * np.fft.fft2(x)).real          # noqa: E731
    Ht = lambda r: np.fft.ifft2(np.conj(ph) * np.fft.fft2(r)).real  # noqa: E731
    sigma = 1.4826 * np.median(np.abs(y - np.median(y)))
    e_adj = np.roll(e[:, ::-1, ::-1], 1, axis=(1, 2))
    w0 = (np.asarray(kappa)[None, :, None, None] * sigma
          * np.sqrt((phi(e_adj) ** 2).sum(axis=(2, 3)))[:, :, None, None])
    w = w0.copy()
    x, u = np.ones(y.shape), np.ones((n, 3, ny, nx))
    costs = []
    for k in range(n_reweights + 1):
        if k:
            w = w * (1.0 / (1.0 + np.abs(phi(x)) / w0))
        for _ in range(n_iter):
            xt = np.maximum(x - 0.5 * Ht(H(x) - y) - 0.5 * phit(u), 0.0)
            ut = np.clip(u + 0.5 * phi(2 * xt - x), -w, w)
            x = 0.8 * xt + 0.2 * x
            u = 0.8 * ut + 0.2 * u
            costs.append(0.5 * np.sum((y - H(x)) ** 2) + np.sum(np.abs(w * phi(x))))
    return x, u, costs


def main():
    y = np.load(EX / "example_image_stack.npy")
    p = np.load(EX / "example_psfs.npy")
    ny, nx = y.shape[1:]
    info1 = json.loads((REF / "iter1_info.json").read_text())
    info2 = json.loads((REF / "iter2_info.json").read_text())

    # --- building blocks ----------------------------------------------------
    sigma = gd.noise_sigma(y)
    check("sigma vs reference (rel)", abs(sigma / info1["noise_sigma"] - 1), 1e-12)
    rng = np.random.default_rng(1)
    for wv in ("linear", "b3"):
        dirac = np.zeros((41, 41))
        dirac[20, 20] = 1.0
        filt = gd.Atrous((41, 41), wv).forward(dirac)
        check(f"{wv} filters vs filters_{wv}_41.npy (max abs)",
              float(np.max(np.abs(filt - np.load(REF / f"filters_{wv}_41.npy")))), 1e-15)
        worst = 0.0
        for shape in [(8, 8), (9, 12), (16, 10), (41, 41), (3, 32, 33)]:
            phi = gd.Atrous(shape, wv)
            a, z = rng.standard_normal(shape), rng.standard_normal((3,) + shape)
            fa = phi.forward(a)
            worst = max(worst, abs(np.vdot(fa, z) - np.vdot(a, phi.adjoint(z)))
                        / (np.linalg.norm(fa) * np.linalg.norm(z)))
        check(f"{wv} Phi^T dot-product test (rel, 5 sizes incl. even)", worst, 1e-13)
    w0 = gd.initial_weights(p, ny, nx, sigma, "linear").T
    check("W0 linear vs weights0.npy (rel max)", rel_max(w0, np.load(REF / "weights0.npy")), 1e-10)
    w0 = gd.initial_weights(p, ny, nx, sigma, "b3").T
    check("W0 b3 vs b3_weights0.npy (rel max)", rel_max(w0, np.load(REF / "b3_weights0.npy")), 1e-10)

    # H adjoint (even size, kernel smaller than the stamp, origin k//2)
    for shape, kshape in (((2, 12, 10), (5, 4)), ((2, 41, 41), (41, 41))):
        ker = rng.random((shape[0],) + kshape)
        ph = gd.psf_spectra(ker, *shape[1:])
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        ha = np.fft.irfft2(ph * np.fft.rfft2(a), s=shape[1:])
        htb = np.fft.irfft2(np.conj(ph) * np.fft.rfft2(b), s=shape[1:])
        # direct periodic definition: (x * k)[p] = sum_q k[c+q] x[(p-q) mod n]
        cy, cx = kshape[0] // 2, kshape[1] // 2
        direct = np.zeros(shape)
        for i in range(kshape[0]):
            for j in range(kshape[1]):
                direct += ker[:, i, j, None, None] * np.roll(a, (i - cy, j - cx), axis=(1, 2))
        check(f"H vs direct periodic convolution {shape[1:]} kernel {kshape} (rel max)",
              rel_max(ha, direct), 1e-13)
        check(f"H^T dot-product test {shape[1:]} kernel {kshape} (rel)",
              abs(np.vdot(ha, b) - np.vdot(a, htb)) / (np.linalg.norm(ha) * np.linalg.norm(b)),
              1e-14)

    # fast peer vs the plain transcription: even sizes, small even kernel, reweight
    for wv in ("linear", "b3"):
        yy = rng.random((3, 24, 30)) + 0.05 * rng.standard_normal((3, 24, 30))
        kk = rng.random((3, 7, 6))
        kk /= kk.sum(axis=(1, 2), keepdims=True)
        xn, un, cn = naive_run(yy, kk, wv, 8, 1)
        xf, info, sv = gd.deconvolve(yy, kk, wavelet=wv, n_iter=8, n_reweights=1, tolerance=0.0)
        err = max(rel_l2(xf, xn), rel_l2(sv.dual, un),
                  float(np.max(np.abs(np.array(info["cost"]) / np.array(cn) - 1))))
        check(f"{wv}: peer vs plain transcription, 24x30, 7x6 PSF, 8+8 iterations "
              "(x, y, costs; max rel)", err, 1e-12)

    # --- early iterations -----------------------------------------------------
    s = gd.Deconvolver(y, p)
    for k, info in ((1, info1), (2, info2)):
        c = s.step()
        check(f"x after {k} iteration(s) vs iter{k}_primal.npy (rel L2)",
              rel_l2(s.x, np.load(REF / f"iter{k}_primal.npy")), 1e-10)
        check(f"y after {k} iteration(s) vs iter{k}_dual_first10.npy (rel L2)",
              rel_l2(s.dual[:10], np.load(REF / f"iter{k}_dual_first10.npy")), 1e-10)
        check(f"cost after {k} iteration(s) (rel)", abs(c / info["cost"][-1] - 1), 1e-12)

    # fixed 2-D PSF == the same PSF given for every object
    sub = y[:4]
    a = gd.Deconvolver(sub, p[1], sigma=sigma)
    b = gd.Deconvolver(sub, np.repeat(p[1:2], 4, axis=0), sigma=sigma)
    for _ in range(3):
        a.step(), b.step()
    check("fixed 2-D PSF vs repeated PSF stack, 3 iterations (rel L2)", rel_l2(a.x, b.x), 1e-15)

    # --- full runs -------------------------------------------------------------
    for wv, name in (("linear", "default"), ("b3", "b3")):
        ref = json.loads((REF / f"{name}_info.json").read_text())
        x, info, _ = gd.deconvolve(y, p, wavelet=wv)
        check_eq(f"{name} run: iterations (phases)", (info["n_iterations"], info["phase_iterations"]),
                 (ref["n_iterations"], ref["phase_iterations"]))
        check_eq(f"{name} run: converged in last phase", info["converged_last_phase"],
                 ref["converged_last_phase"])
        check(f"{name} run: final primal vs {name}_primal.npy (rel L2)",
              rel_l2(x, np.load(REF / f"{name}_primal.npy")), 1e-9)
        if len(info["cost"]) == len(ref["cost"]):
            cdiff = float(np.max(np.abs(np.array(info["cost"]) / np.array(ref["cost"]) - 1)))
        else:
            cdiff = float("inf")
        check(f"{name} run: cost list vs {name}_info.json (max rel)", cdiff, 1e-9)
        check_eq(f"{name} run: convergence tests (iteration, converged)",
                 [(t["iteration"], t["converged"]) for t in info["conv_tests"]],
                 [(t["iteration"], t["converged"]) for t in ref["conv_tests"]],
                 show=lambda v: f"{len(v)} tests, converged at {[i for i, c in v if c]}")

    # --- command line ------------------------------------------------------------
    with tempfile.TemporaryDirectory() as tmp:
        yi, pi, xo = (os.path.join(tmp, f) for f in ("y.npy", "p.npy", "x.npy"))
        np.save(yi, y[:10])   # sigma differs, but iterations 1-2 do not depend on W
        np.save(pi, p[:10])
        out = subprocess.run([sys.executable, str(HERE / "galdecon_numpy.py"), "--input", yi,
                              "--psf", pi, "--output", xo, "--iterations-only", "2", "--json"],
                             capture_output=True, text=True, check=False)
        try:
            rep = json.loads(out.stdout.strip().splitlines()[-1])
            ok = (rep["objects"] == 10 and rep["iterations"] == 2
                  and rep["us_per_object_iteration"] > 0)
            err = rel_l2(np.load(xo), np.load(REF / "iter2_primal.npy")[:10]) if ok else np.inf
        except Exception as e:  # noqa: BLE001
            print(out.stdout, out.stderr, e)
            err = float("inf")
        check("CLI --iterations-only 2 --json on 10 objects vs iter2_primal (rel L2)", err, 1e-10)

    # low-rank and combined priors (section 10): the first iterations of the synthetic
    # set's exact-SVD references, every cost and kept rank
    syn = HERE.parents[1] / "test" / "fixtures" / "synthetic"
    ys, ps = np.load(syn / "noisy.npy"), np.load(syn / "psfs.npy")
    for prior in ("lowrank", "both"):
        info = json.load(open(syn / "reference" / f"{prior}_fixed60_info.json"))
        s = gd.Deconvolver(ys, ps, prior=prior)
        check(f"{prior}: lambda vs reference (rel)", abs(s.lam / info["lam"] - 1), 1e-15)
        costs = s.run_fixed(8)["cost"]
        check(f"{prior}: 8 costs vs reference (rel max)", rel_max(np.array(costs), np.array(info["cost"][:8])), 5e-15)
        check_eq(f"{prior}: kept ranks of 8 iterations", s.ranks, info["dual_rank"][:8])

    print(f"{'FAILED: ' + ', '.join(FAILS) if FAILS else 'all checks passed'}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
