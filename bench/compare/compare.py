#!/usr/bin/env python
"""NumPyro on ngvi's benchmark models: time to accuracy, whole process.

Fits the models of ``examples/data/`` (the same data files and reference posteriors the
Rust examples read) with NumPyro SVI (AutoNormal and AutoMultivariateNormal, Adam at
0.005 / 0.01 / 0.05 and a decaying schedule) and with NUTS (1000 draws after 1000 warm-up
iterations, one chain), and prints for each configuration: the steps to the bar (or
"never" within ``--steps``), the log-density gradient evaluations, the whole-process wall
time to the bar (interpreter start, imports, JIT compilation and fitting), and the peak
resident memory.

The bar is the one of ``examples/common/compare.rs``: every mean within ``MEAN_TOL``
reference sds and every sd within ``SD_TOL`` (relative) of the reference sd. SVI checks it
every ``CHECK_EVERY`` steps; unconstrained latents take the guide's exact mean and sd,
constrained ones (``p``, ``tau``) the mean and sd of ``DRAWS`` draws from the guide.

Each (model, configuration) runs in a fresh Python process, so its time and memory are a
whole process's, as a user running one fit would see them.

    python compare.py [MODEL ...] [--steps N] [--seed S]

MODEL is any of coin, coin_1e6, linreg, logistic, poisson_reg, eight_schools,
hierarchical (default: all).
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

# About the process's start (only standard modules are loaded so far), for a `--one` run
# not launched by this script's parent.
START = time.time()

# The bar, as `examples/common/compare.rs` defines it (`MEAN_TOL`, `SD_TOL`).
MEAN_TOL = 0.1
SD_TOL = 0.15
# SVI checks the bar every this many steps.
CHECK_EVERY = 25
# Draws from the guide for the moments of a constrained latent.
DRAWS = 4000
# The 10^6-flip coin: Bernoulli(0.3) flips from numpy's PCG64 generator with this seed.
COIN_1E6_SEED = [20251122, 1000000]
COIN_1E6_N = 1_000_000

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
MODELS = ["coin", "coin_1e6", "linreg", "logistic", "poisson_reg", "eight_schools",
          "hierarchical"]
SVI_CONFIGS = [
    f"{guide} {lr}"
    for guide in ("AutoNormal", "AutoMultivariateNormal")
    for lr in ("Adam 0.005", "Adam 0.01", "Adam 0.05", "Adam 0.05->0.0005")
]
CONFIGS = SVI_CONFIGS + ["NUTS 1000+1000"]


# --------------------------------------------------------------------------------------
# The parent: one child process per configuration, one table per model.
# --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", default=MODELS, metavar="MODEL")
    parser.add_argument("--steps", type=int, default=20_000, help="SVI steps at most")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "CONFIG"), help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one and (args.one[0] not in MODELS or args.one[1] not in CONFIGS):
        parser.error(f"--one MODEL CONFIG: MODEL one of {', '.join(MODELS)}; "
                     f"CONFIG one of {', '.join(CONFIGS)}")
    if args.one:
        launched = START if args.launched is None else args.launched
        child(args.one[0], args.one[1], args.steps, args.seed, launched)
        return
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; {platform.platform()}; "
          f"{os.cpu_count()} cores; Python {platform.python_version()}")
    print(f"bar: every mean within {MEAN_TOL} ref sd, every sd within {SD_TOL:.0%}; "
          f"checked every {CHECK_EVERY} SVI steps, at most {args.steps} steps; seed {args.seed}")
    versions_shown = False
    for model in args.models:
        print(f"\n### {model}\n")
        print("| configuration | steps to the bar | gradient evaluations | wall to the bar "
              "(whole process) | peak memory | worst \\|Δmean\\|/sd | sd ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for config in CONFIGS:
            result = run_child(model, config, args.steps, args.seed)
            if not versions_shown and "versions" in result:
                print(f"<!-- {result['versions']} -->", flush=True)
                versions_shown = True
            print(row(config, result), flush=True)


def run_child(model, config, steps, seed):
    """Run one configuration in a fresh interpreter; its last stdout line is JSON."""
    launched = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--one", model, config, "--steps", str(steps),
         "--seed", str(seed), "--launched", repr(launched)],
        capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {proc.returncode}: {tail[0]}"}
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError as e:
        return {"error": f"unreadable result ({e}): {lines[-1][:80]}"}


def row(config, r):
    if "error" in r:
        return f"| {config} | failed: {r['error']} ||||||"
    if r["kind"] == "nuts":
        steps = "pass" if r["pass"] else "FAIL"
        steps = f"{steps} ({r['draws']} draws)"
    else:
        steps = f"{r['steps']}" if r["pass"] else f"never ({r['steps']})"
    return (f"| {config} | {steps} | {r['gradients']} | {r['wall']:.1f} s | "
            f"{r['peak_mib']:.0f} MiB | {r['worst_z']:.3f} ({r['worst_label']}) | "
            f"{r['ratio_min']:.3f}–{r['ratio_max']:.3f} |")


# --------------------------------------------------------------------------------------
# The child: one model, one configuration.
# --------------------------------------------------------------------------------------


def child(model_name, config, steps, seed, launched):
    import resource

    import jax
    import jax.numpy as jnp
    import jaxlib
    import numpy as np
    import numpyro
    import optax
    from jax import lax
    from numpyro.infer import MCMC, NUTS, SVI, Trace_ELBO
    from numpyro.infer.autoguide import AutoMultivariateNormal, AutoNormal

    model, data, labels, ref_mean, ref_sd = load(model_name, np, jnp)

    def verdict(mean, sd):
        z = np.abs(np.asarray(mean, dtype=float) - ref_mean) / ref_sd
        ratio = np.asarray(sd, dtype=float) / ref_sd
        ok = (z <= MEAN_TOL) & (np.abs(ratio - 1.0) <= SD_TOL)  # NaN fails
        worst = int(np.nanargmax(z)) if np.isfinite(z).any() else 0
        return bool(ok.all()), {
            "worst_z": float(z[worst]), "worst_label": labels[worst],
            "ratio_min": float(np.min(ratio)), "ratio_max": float(np.max(ratio)),
        }

    def flatten(values):
        """Site values (dict of arrays) in the order of the reference labels."""
        out = []
        for label in labels:
            site, index = parse_label(label)
            v = jnp.reshape(values[site], (-1,))
            out.append(v[index or 0])
        return jnp.stack(out)

    key = jax.random.PRNGKey(seed)
    result = {"versions": f"jax {jax.__version__}, jaxlib {jax.__version__}, "
                          f"numpyro {numpyro.__version__}, optax {optax.__version__}, "
                          f"numpy {np.__version__}"}
    if config.startswith("NUTS"):
        mcmc = MCMC(NUTS(model), num_warmup=1000, num_samples=1000, num_chains=1,
                    progress_bar=False)
        mcmc.warmup(key, *data, extra_fields=("num_steps",), collect_warmup=True)
        warm = int(np.sum(mcmc.get_extra_fields()["num_steps"]))
        mcmc.run(mcmc.post_warmup_state.rng_key, *data, extra_fields=("num_steps",))
        sampled = int(np.sum(mcmc.get_extra_fields()["num_steps"]))
        samples = mcmc.get_samples()
        draws = jax.vmap(flatten)(samples)
        ok, worst = verdict(np.mean(draws, 0), np.std(draws, 0, ddof=1))
        result.update(kind="nuts", draws=int(draws.shape[0]), gradients=warm + sampled,
                      **{"pass": ok}, **worst)
    else:
        guide_name, _, rate = config.partition(" Adam ")
        guide = (AutoNormal if guide_name == "AutoNormal" else AutoMultivariateNormal)(model)
        if "->" in rate:
            start, end = (float(x) for x in rate.split("->"))
            schedule = optax.exponential_decay(start, transition_steps=steps,
                                               decay_rate=end / start)
            optim = numpyro.optim.optax_to_numpyro(optax.adam(schedule))
        else:
            optim = numpyro.optim.Adam(float(rate))
        svi = SVI(model, guide, optim, Trace_ELBO())
        state = svi.init(key, *data)
        constrained = [
            name for name, site in guide.prototype_trace.items()
            if site["type"] == "sample" and not site["is_observed"]
            and not is_real(site["fn"].support)
        ]
        draw_key = jax.random.PRNGKey(seed + 1)

        def moments(params):
            if guide_name == "AutoNormal":
                mean = {k: params[f"{k}_auto_loc"] for k in guide._init_locs}
                sd = {k: params[f"{k}_auto_scale"] for k in guide._init_locs}
            else:
                tril = params["auto_scale_tril"]
                mean = guide._unpack_latent(params["auto_loc"])
                sd = guide._unpack_latent(jnp.sqrt(jnp.sum(tril**2, axis=1)))
            if constrained:
                draws = guide.sample_posterior(draw_key, params, *data, sample_shape=(DRAWS,))
                for k in constrained:
                    mean[k] = jnp.mean(draws[k], 0)
                    sd[k] = jnp.std(draws[k], 0, ddof=1)
            return flatten(mean), flatten(sd)

        @jax.jit
        def advance(state, *data):
            def body(s, _):
                s, loss = svi.update(s, *data)
                return s, loss

            state, _ = lax.scan(body, state, None, length=CHECK_EVERY)
            return (state, *moments(svi.get_params(state)))

        done, ok = 0, False
        while done < steps and not ok:
            state, mean, sd = advance(state, *data)
            done += CHECK_EVERY
            ok, worst = verdict(mean, sd)
        # Trace_ELBO with one particle: one gradient of the log density per step.
        result.update(kind="svi", steps=done, gradients=done, **{"pass": ok}, **worst)
    result["wall"] = time.time() - launched
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def is_real(support):
    from numpyro.distributions import constraints

    if isinstance(support, constraints.independent):
        support = support.base_constraint
    return support is constraints.real


def parse_label(label):
    """`w[3]` -> ("w", 3); `mu` -> ("mu", None)."""
    m = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", label)
    if m is None:
        raise ValueError(f"unreadable reference label {label!r}")
    return m.group(1), (int(m.group(2)) if m.group(2) is not None else None)


# --------------------------------------------------------------------------------------
# The models, on the data and references of examples/data/.
# --------------------------------------------------------------------------------------


def read_csv(name, np):
    path = DATA / name
    with open(path) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    if table.shape[1] != len(header):
        raise ValueError(f"{path}: {len(header)} headers, {table.shape[1]} columns")
    return {h: table[:, j] for j, h in enumerate(header)}


def read_reference(name, np):
    """`examples/data/NAME.json`: `labels` with `flat.mean` and `flat.sd`."""
    path = DATA / f"{name}.json"
    with open(path) as f:
        ref = json.load(f)
    labels, flat = ref["labels"], ref["flat"]
    if not len(labels) == len(flat["mean"]) == len(flat["sd"]):
        raise ValueError(f"{path}: labels, flat.mean and flat.sd differ in length")
    return labels, np.asarray(flat["mean"], float), np.asarray(flat["sd"], float)


def load(name, np, jnp):
    """(model, data arguments, labels, reference means, reference sds)."""
    import numpyro
    import numpyro.distributions as dist

    def coin(y):
        p = numpyro.sample("p", dist.Beta(1.0, 1.0))
        with numpyro.plate("N", y.shape[0]):
            numpyro.sample("y", dist.Bernoulli(probs=p), obs=y)

    def linreg(x, y):
        w = numpyro.sample("w", dist.Normal(0.0, 1.0).expand([x.shape[1]]).to_event(1))
        with numpyro.plate("N", y.shape[0]):
            numpyro.sample("y", dist.Normal(x @ w, 0.5), obs=y)

    def logistic(x, y):
        b = numpyro.sample("b", dist.Normal(0.0, 1.0))
        w = numpyro.sample("w", dist.Normal(0.0, 1.0).expand([x.shape[1]]).to_event(1))
        with numpyro.plate("N", y.shape[0]):
            numpyro.sample("y", dist.Bernoulli(logits=b + x @ w), obs=y)

    def poisson_reg(x, y):
        b = numpyro.sample("b", dist.Normal(0.0, 1.0))
        w = numpyro.sample("w", dist.Normal(0.0, 1.0).expand([x.shape[1]]).to_event(1))
        with numpyro.plate("N", y.shape[0]):
            numpyro.sample("y", dist.Poisson(jnp.exp(b + x @ w)), obs=y)

    def eight_schools(y, sigma):
        mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
        tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
        with numpyro.plate("J", y.shape[0]):
            theta_tilde = numpyro.sample("theta_tilde", dist.Normal(0.0, 1.0))
            numpyro.sample("y", dist.Normal(mu + tau * theta_tilde, sigma), obs=y)

    def design(file, k):
        t = read_csv(file, np)
        x = np.column_stack([t[f"x{j}"] for j in range(1, k + 1)])
        return jnp.asarray(x), jnp.asarray(t["y"])

    if name == "coin":
        return (coin, (jnp.asarray(read_csv("coin.csv", np)["y"]),), *read_reference("coin", np))
    if name == "coin_1e6":
        y = np.random.default_rng(COIN_1E6_SEED).binomial(1, 0.3, size=COIN_1E6_N)
        k = float(y.sum())
        # Exact posterior Beta(1 + k, 1 + n - k).
        a, b = 1.0 + k, 1.0 + COIN_1E6_N - k
        mean, sd = a / (a + b), np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
        return coin, (jnp.asarray(y, dtype=jnp.float32),), ["p"], np.array([mean]), np.array([sd])
    if name == "linreg":
        return (linreg, design("linreg.csv", 10), *read_reference("linreg", np))
    if name == "logistic":
        return (logistic, design("logistic.csv", 20), *read_reference("logistic", np))
    if name == "poisson_reg":
        return (poisson_reg, design("poisson_reg.csv", 5), *read_reference("poisson_reg", np))
    if name == "eight_schools":
        t = read_csv("eight_schools.csv", np)
        data = (jnp.asarray(t["y"]), jnp.asarray(t["sigma"]))
        return (eight_schools, data, *read_reference("eight_schools", np))
    if name == "hierarchical":
        t = read_csv("hierarchical.csv", np)
        group = t["group"].astype(int)
        groups = int(group.max()) + 1

        def hierarchical(group, y):
            mu = numpyro.sample("mu", dist.Normal(0.0, 10.0))
            tau = numpyro.sample("tau", dist.HalfNormal(5.0))
            with numpyro.plate("G", groups):
                theta = numpyro.sample("theta", dist.Normal(mu, tau))
            with numpyro.plate("N", y.shape[0]):
                numpyro.sample("y", dist.Normal(theta[group], 1.0), obs=y)

        data = (jnp.asarray(group), jnp.asarray(t["y"]))
        return (hierarchical, data, *read_reference("hierarchical", np))
    raise ValueError(f"unknown model {name!r}")


if __name__ == "__main__":
    main()
