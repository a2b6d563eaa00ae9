"""Time and figures of `quizapp optimize` (the Rust FSRS core, in-process)
beside Anki's own optimizer, in the same run, on synthetic histories of
3,000, 10,000 and 100,000 reviews; optimal retention beside Anki's.

    .venv/bin/python benchmarks/optimize.py [--reviews 3000 10000 100000] [--stability-scale S] [--process]

The simulated learner's memory follows FSRS with initial stabilities ``S``
times the defaults (0.3: forgets new cards faster than the default
parameters expect); the app scheduled them with the defaults
(tests/simulation.py). Both optimizers get the same FSRS items of the first
80 % of the history (Anki through its backend's
compute_fsrs_params_from_items, in a temporary collection); both parameter
sets are scored on the held-out 20 % by the same evaluation. With
``--process`` the history is also stored in a SQLite database and the whole
`quizapp optimize --json` process is timed (interpreter start included).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: quizapp and tests

import fsrs_rs_python as rs
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizapp.optimizing import (
    Collection,
    evaluate,
    evaluate_time_series,
    fit_parameters,
    items,
    optimal_retention,
    split_history,
)
from tests.simulation import scaled_parameters, simulate_history

ROOT = Path(__file__).resolve().parent.parent


def anki_fit(col, train_items) -> tuple[list[float], float]:
    """Anki's optimizer on these items: (parameters, seconds)."""
    from anki import scheduler_pb2

    request = [
        scheduler_pb2.FsrsItem(reviews=[scheduler_pb2.FsrsReview(rating=r, delta_t=d) for r, d in item.reviews])
        for item in train_items
    ]
    start = time.perf_counter()
    response = col._backend.compute_fsrs_params_from_items(request)
    return list(response.params), time.perf_counter() - start


def anki_optimal_retention(col, parameters, collection: Collection) -> float:
    from anki import scheduler_pb2

    request = scheduler_pb2.SimulateFsrsReviewRequest(
        params=parameters,
        desired_retention=0.9,
        deck_size=collection.cards,
        days_to_simulate=365,
        new_limit=collection.new_per_day,
        review_limit=collection.reviews_per_day,
        max_interval=36500,
        search="",
        new_cards_ignore_review_limit=True,
        learning_step_count=collection.learning_steps,
        relearning_step_count=collection.relearning_steps,
    )
    return col._backend.compute_optimal_retention(request)


def process_time(rows, tmp: Path) -> tuple[float, dict]:
    """The whole `quizapp optimize --json` process on a database holding ``rows``."""
    from quizapp.service import open_service
    from quizapp.settings import Settings
    from tests.test_optimizing import store_history

    url = f"sqlite:///{tmp / 'bench.db'}"
    service = open_service(Settings(database_url=url, user="bench", start_kernel=False))
    store_history(service, rows)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "quizapp", "--db", url, "--user", "bench", "optimize", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


ANKI_PROCESS = """
import json, sys
from anki.collection import Collection
from anki import scheduler_pb2
col = Collection(sys.argv[1])
items = json.load(open(sys.argv[2]))
request = [scheduler_pb2.FsrsItem(reviews=[scheduler_pb2.FsrsReview(rating=r, delta_t=d) for r, d in item])
           for item in items]
print(len(col._backend.compute_fsrs_params_from_items(request).params))
col.close()
"""


def anki_process_time(train_items, tmp: Path) -> float:
    """A whole process that imports anki, opens a collection and fits ``train_items``."""
    data = tmp / "items.json"
    data.write_text(json.dumps([item.reviews for item in train_items]))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", ANKI_PROCESS, str(tmp / "anki-process.anki2"), str(data)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, nargs="+", default=[3_000, 10_000, 100_000])
    parser.add_argument("--stability-scale", type=float, default=0.3)
    parser.add_argument("--process", action="store_true", help="also time the whole quizapp optimize process")
    args = parser.parse_args()
    from anki.collection import Collection as AnkiCollection

    truth = scaled_parameters(args.stability_scale)
    defaults = list(DEFAULT_PARAMETERS)
    with tempfile.TemporaryDirectory() as tmp:
        col = AnkiCollection(str(Path(tmp) / "anki.anki2"))
        for n in args.reviews:
            rows = simulate_history(n, true_parameters=truth, seed=1)
            train, cutoff = split_history(rows)
            train_items = sorted(items(train), key=lambda item: item.time)
            cards = len({r.card for r in rows})
            print(
                f"\n{n} reviews of {cards} cards over {(rows[-1].time - rows[0].time).days + 1} days; "
                f"{len(train_items)} items in the first 80%"
            )
            start = time.perf_counter()
            ours = fit_parameters(rows, cutoff=cutoff, current=defaults)
            ours_total = time.perf_counter() - start
            start = time.perf_counter()
            evaluation = evaluate_time_series(rows)
            series_seconds = time.perf_counter() - start
            anki_params, anki_seconds = anki_fit(col, train_items)
            anki_after = evaluate(rows, anki_params, since=cutoff)
            print(f"  quizapp fit_parameters (fit and the two held-out evaluations): {ours_total:.3f} s")
            start = time.perf_counter()
            rs.FSRS(defaults).compute_parameters([item.to_rs() for item in train_items])
            ours_fit = time.perf_counter() - start
            print(f"  fit alone: quizapp {ours_fit:.3f} s, Anki {anki_seconds:.3f} s")
            print(f"  {'held-out':<20}{'log loss':>10}{'RMSE (bins)':>14}")
            print(f"  {'default parameters':<20}{ours.before.log_loss:>10.4f}{ours.before.rmse:>13.2%}")
            print(f"  {'quizapp fitted':<20}{ours.after.log_loss:>10.4f}{ours.after.rmse:>13.2%}")
            print(f"  {'Anki fitted':<20}{anki_after.log_loss:>10.4f}{anki_after.rmse:>13.2%}")
            oracle = evaluate(rows, truth, since=cutoff)
            print(f"  {'true parameters':<20}{oracle.log_loss:>10.4f}{oracle.rmse:>13.2%}")
            print(
                f"  time-series splits (optimize --time-series): log loss {evaluation.log_loss:.4f}, "
                f"RMSE {evaluation.rmse:.2%} ({series_seconds:.2f} s)"
            )
            collection = Collection(cards=cards, new_per_day=20, reviews_per_day=200)
            start = time.perf_counter()
            retention = optimal_retention(ours.parameters, collection)
            ours_r = time.perf_counter() - start
            start = time.perf_counter()
            anki_r = anki_optimal_retention(col, list(ours.parameters), collection)
            anki_rt = time.perf_counter() - start
            print(
                f"  optimal retention: quizapp {retention:.3f} ({ours_r:.2f} s), "
                f"Anki {anki_r:.3f} ({anki_rt:.2f} s), same parameters and collection"
            )
            if args.process:
                with tempfile.TemporaryDirectory() as db_dir:
                    seconds, data = process_time(rows, Path(db_dir))
                    anki_seconds = anki_process_time(train_items, Path(db_dir))
                print(
                    f"  whole `quizapp optimize --json` process: {seconds:.2f} s "
                    f"(adopted {data['adopted']}, optimal_retention {data['optimal_retention']}); "
                    f"a whole Anki process (import anki, open a collection, fit the same items): {anki_seconds:.2f} s"
                )
        col.close()


if __name__ == "__main__":
    main()
