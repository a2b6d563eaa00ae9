"""Time of the FSRS optimizer (in its worker process, as `quizapp optimize`
runs it) on a synthetic history of 10,000 reviews, and its figures.

    .venv/bin/python benchmarks/optimize.py [--reviews N] [--stability-scale S]

The simulated learner's memory follows FSRS with initial stabilities
``S`` times the defaults (0.3: forgets new cards faster than the default
parameters expect); the app scheduled them with the defaults. The first
80 % of the history is fitted, the last 20 % held out to compare the
default and the fitted parameters (quizapp/optimizing.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: quizapp and tests

from fsrs.scheduler import DEFAULT_PARAMETERS

from quizapp.kernel.optimizer_client import fit_parameters
from quizapp.optimizing import is_better, split_history, trainable_reviews
from tests.simulation import scaled_parameters, simulate_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--stability-scale", type=float, default=0.3)
    args = parser.parse_args()
    truth = scaled_parameters(args.stability_scale)
    rows = simulate_history(args.reviews, true_parameters=truth, seed=1)
    train, cutoff = split_history(rows)
    print(
        f"history: {len(rows)} reviews of {len({r.card for r in rows})} cards over "
        f"{(rows[-1].time - rows[0].time).days + 1} days; {trainable_reviews(train)} learnable in the first 80%"
    )
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())
        sys.stderr.write(f"\r{stage:<9} {done * 100 // max(total, 1):3d}%")
        sys.stderr.flush()

    start = time.perf_counter()
    result = fit_parameters(rows, cutoff=cutoff, current=DEFAULT_PARAMETERS, progress=progress)
    total = time.perf_counter() - start
    sys.stderr.write("\r" + " " * 20 + "\r")
    startup = marks.get("fit", start) - start
    print(
        f"wall time: {total:.1f} s (worker start and torch import {startup:.1f} s; "
        f"fit and evaluation in the worker {result.seconds:.1f} s)"
    )
    print(f"{'':<22}{'log loss':>10}{'RMSE (bins)':>14}")
    for name, metrics in (("default parameters", result.before), ("fitted parameters", result.after)):
        print(f"{name:<22}{metrics.log_loss:>10.4f}{metrics.rmse:>13.2%}")
    from quizapp.optimizing import evaluate

    oracle = evaluate(rows, truth, since=cutoff)
    print(f"{'true parameters':<22}{oracle.log_loss:>10.4f}{oracle.rmse:>13.2%}   (the simulation's own)")
    print(f"held-out reviews scored: {result.before.count}; adopted: {is_better(result.before, result.after)}")


if __name__ == "__main__":
    main()
