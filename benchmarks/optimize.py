"""Time and figures of `quizapp optimize` (the Rust FSRS core, in-process)
beside Anki's own optimizer, in the same run, on synthetic histories of
3,000, 10,000 and 100,000 reviews; optimal retention beside Anki's.

    .venv/bin/python benchmarks/optimize.py [--reviews 3000 10000 100000] [--stability-scale S]
        [--process [--repeats N] [--baseline OTHER_CHECKOUT]] [--no-retention]

The simulated learner's memory follows FSRS with initial stabilities ``S``
times the defaults (0.3: forgets new cards faster than the default
parameters expect); the app scheduled them with the defaults
(tests/simulation.py). Both optimizers get the same FSRS items of the first
80 % of the history (Anki through its backend's
compute_fsrs_params_from_items, in a temporary collection); both parameter
sets are scored on the held-out 20 % by the same evaluation. The optimal
retention is computed by both for the same parameters and a deck of that
many new cards.

With ``--process`` the history is also stored in a SQLite database and whole
processes are timed, interleaved, ``--repeats`` times each (medians and
minimums: the machine may be shared): `quizapp optimize --json` on a fresh
copy of the database (interpreter start included; it fits, compares, adopts
and computes the optimal retention for the collection), the same from
``--baseline`` (another checkout, e.g. the code before a change), and Anki
processes that import anki, open a collection and fit the same items, with
and without its "compute minimum recommended retention".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
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
        historical_retention=0.9,
        learning_step_count=collection.learning_steps,
        relearning_step_count=collection.relearning_steps,
    )
    return col._backend.compute_optimal_retention(request)


def store_database(rows, directory: Path) -> Path:
    """A SQLite database holding ``rows`` as the learner "bench"'s history,
    opened once as the CLI opens it (schema, built-in decks synced)."""
    from quizapp.service import open_service
    from quizapp.settings import Settings
    from tests.test_optimizing import store_history

    path = directory / "bench.db"
    service = open_service(Settings(database_url=f"sqlite:///{path}", user="bench", start_kernel=False))
    store_history(service, rows)
    service.engine.dispose()
    return path


#: Children may write and read bytecode caches, as an installed package has
#: them (PYTHONDONTWRITEBYTECODE would compile every quizapp module at each start).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_bytecode(checkout: Path) -> None:
    """quizapp's bytecode caches in ``checkout``, as pip writes them at install."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "quizapp")], check=True, env=CHILD_ENV)


def timed_run(command: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a child process: (wall seconds, CPU seconds of the child, user and
    system, all its threads), and its result. CPU time is what a loaded,
    shared machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def quizapp_process_time(database: Path, tmp: Path, checkout: Path = ROOT) -> tuple[tuple[float, float], dict, Path]:
    """One whole `quizapp optimize --json` process, run from ``checkout``, on a
    fresh copy of ``database`` (so every run fits and adopts the same way)."""
    copy = tmp / f"run-{time.monotonic_ns()}.db"
    shutil.copyfile(database, copy)
    wall, cpu, out = timed_run(
        [sys.executable, "-m", "quizapp", "--db", f"sqlite:///{copy}", "--user", "bench", "optimize", "--json"],
        cwd=checkout,
        env={**CHILD_ENV, "QUIZAPP_DATA_DIR": str(tmp / "data")},
    )
    return (wall, cpu), json.loads(out.stdout), copy


ANKI_PROCESS = """
import json, sys
from anki.collection import Collection
from anki import scheduler_pb2
col = Collection(sys.argv[1])
items = json.load(open(sys.argv[2]))
request = [scheduler_pb2.FsrsItem(reviews=[scheduler_pb2.FsrsReview(rating=r, delta_t=d) for r, d in item])
           for item in items]
params = list(col._backend.compute_fsrs_params_from_items(request).params)
if sys.argv[3] != "0":  # and Anki's "compute minimum recommended retention" for a deck of that many cards
    print(col._backend.compute_optimal_retention(scheduler_pb2.SimulateFsrsReviewRequest(
        params=params, desired_retention=0.9, deck_size=int(sys.argv[3]), days_to_simulate=365, new_limit=20,
        review_limit=200, max_interval=36500, search="", new_cards_ignore_review_limit=True,
        historical_retention=0.9, learning_step_count=2, relearning_step_count=1)))
col.close()
"""


def anki_process_time(train_items, tmp: Path, retention_cards: int = 0) -> tuple[float, float]:
    """A whole process that imports anki, opens a collection and fits
    ``train_items`` (and, with ``retention_cards``, computes the minimum
    recommended retention for a new deck of that many cards)."""
    data = tmp / "items.json"
    data.write_text(json.dumps([item.reviews for item in train_items]))
    collection = tmp / f"anki-{time.monotonic_ns()}.anki2"
    wall, cpu, _ = timed_run(
        [sys.executable, "-c", ANKI_PROCESS, str(collection), str(data), str(retention_cards)], env=CHILD_ENV
    )
    return wall, cpu


def whole_processes(rows, train_items, cards: int, repeats: int, baseline: Path | None) -> None:
    """Whole processes, interleaved ``repeats`` times (the machine is shared:
    medians and minimums): quizapp optimize --json (and the baseline
    checkout's), Anki's fit, Anki's fit and minimum recommended retention."""
    times: dict[str, list[tuple[float, float]]] = {}
    data: dict = {}
    ours = Path()
    for checkout in [ROOT] if baseline is None else [ROOT, baseline]:
        compile_bytecode(checkout)
    with tempfile.TemporaryDirectory() as db_dir:
        tmp = Path(db_dir)
        database = store_database(rows, tmp)
        for _ in range(repeats):
            seconds, data, ours = quizapp_process_time(database, tmp)
            times.setdefault("quizapp optimize --json", []).append(seconds)
            if baseline is not None:
                seconds, _, _ = quizapp_process_time(database, tmp, baseline)
                times.setdefault(f"the same from {baseline}", []).append(seconds)
            times.setdefault("Anki: import, open, fit", []).append(anki_process_time(train_items, tmp))
            times.setdefault("Anki: import, open, fit, min. recommended retention", []).append(
                anki_process_time(train_items, tmp, cards)
            )
        retention_seconds = optimal_retention_seconds(ours, data)
    print(
        f"  whole processes, {repeats} runs each (adopted {data['adopted']}, "
        f"optimal_retention {data['optimal_retention']}, fit and comparison {data['seconds']} s):"
    )
    anki_wall = statistics.median(w for w, _ in times["Anki: import, open, fit"])
    anki_cpu = statistics.median(c for _, c in times["Anki: import, open, fit"])
    print(f"    {'':<55}{'wall: median':>13}{'min':>7}{'CPU: median':>13}{'min':>7}  (x Anki's fit: wall, CPU)")
    for name, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(
            f"    {name:<55}{wall:>11.2f} s{min(w for w, _ in values):>6.2f}s{cpu:>11.2f} s"
            f"{min(c for _, c in values):>6.2f}s  ({wall / anki_wall:.1f}x, {cpu / anki_cpu:.1f}x)"
        )
    print(
        f"    of quizapp's, the optimal retention alone (in-process, after the runs): "
        f"{retention_seconds[0]:.2f} s wall, {retention_seconds[1]:.2f} s CPU"
    )


def optimal_retention_seconds(database: Path, data: dict) -> tuple[float, float]:
    """The time of Service.optimal_retention on the database a quizapp run
    left (the parameters it adopted): the share of the optimal retention."""
    from quizapp.service import open_service
    from quizapp.settings import Settings

    service = open_service(
        Settings(database_url=f"sqlite:///{database}", user="bench", start_kernel=False, sync_builtin_decks=False)
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    value = service.optimal_retention()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert abs(value - data["optimal_retention"]) < 1e-6
    service.engine.dispose()
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, nargs="+", default=[3_000, 10_000, 100_000])
    parser.add_argument("--stability-scale", type=float, default=0.3)
    parser.add_argument("--process", action="store_true", help="also time whole processes, quizapp's and Anki's")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each process (default 3)")
    parser.add_argument("--baseline", type=Path, help="with --process: also time quizapp from this other checkout")
    parser.add_argument("--no-retention", action="store_true", help="skip the in-process optimal retention")
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
            if not args.no_retention:
                collection = Collection(cards=cards, new_per_day=20, reviews_per_day=200, new_cards=cards)
                start = time.perf_counter()
                retention = optimal_retention(ours.parameters, collection)
                ours_r = time.perf_counter() - start
                start = time.perf_counter()
                anki_r = anki_optimal_retention(col, list(ours.parameters), collection)
                anki_rt = time.perf_counter() - start
                print(
                    f"  optimal retention, {cards} new cards: quizapp {retention:.4f} ({ours_r:.2f} s), "
                    f"Anki {anki_r:.4f} ({anki_rt:.2f} s), same parameters"
                )
            if args.process:
                whole_processes(rows, train_items, cards, args.repeats, args.baseline)
        col.close()


if __name__ == "__main__":
    main()
