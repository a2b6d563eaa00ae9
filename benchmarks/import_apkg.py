"""Time to import Anki packages with quizapp, beside the time the real Anki
library (the `anki` package, a test dependency) takes to import the same
package in the same run; then a TOML deck and a Markdown vault (quizapp only).

    .venv/bin/python benchmarks/import_apkg.py [--quick] [--no-processes] [--only NAME ...]

Every package is made by Anki itself: N Basic notes in nested decks, with
tags, exported with scheduling in the current format (collection.anki21b)
and the legacy one (collection.anki2). The "history" packages give every card
a review log written into Anki's ``revlog`` (learning steps, reviews at
growing intervals, lapses and relearning), about 17 reviews a card: 500
cards (8.6k reviews), 5,000 (85k) and 60,000 (1M).

Each import runs in this process (the use case; Anki's
``import_anki_package`` with scheduling), and again as a whole process
(``python -m quizapp --db X import P`` beside a child Python that opens a
collection and imports into it), each into a fresh database. ``--quick``
stops at 20k notes and 85k reviews.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure the quizapp of this tree
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Case:
    name: str
    notes: int
    #: Cards (from the first notes) given a review history.
    history: int = 0


CASES = [
    Case("1k", 1_000),
    Case("20k", 20_000),
    Case("200k", 200_000),
    Case("500+8.6k reviews", 500, history=500),
    Case("5k+85k reviews", 5_000, history=5_000),
    Case("60k+1M reviews", 60_000, history=60_000),
]
QUICK = {"1k", "20k", "500+8.6k reviews", "5k+85k reviews"}


def _history(start_ms: int, end_ms: int, rng: random.Random) -> list[tuple[int, int, int, int, int]]:
    """One card's reviews before ``end_ms``: (time ms, ease, ivl, lastIvl, type), oldest first."""
    t = start_ms + rng.randrange(DAY_MS)
    out = [(t, 1, -60, 0, 0), (t + 60_000, 3, -600, -60, 0), (t + 660_000, 3, 1, -600, 0)]
    ivl = 1
    for _ in range(rng.randint(2, 26)):
        t += ivl * DAY_MS + rng.randrange(-3_600_000, 3_600_000)
        if t > end_ms:
            break
        if rng.random() < 0.1:
            out.append((t, 1, -600, ivl, 1))
            out.append((t + 600_000, 3, 1, -600, 2))
            ivl = 1
        else:
            ease = rng.choice((2, 3, 3, 3, 4))
            new = max(1, min(30, round(ivl * (1.2 if ease == 2 else 2.5 if ease == 3 else 3.5))))
            out.append((t, ease, new, ivl, 1))
            ivl = new
    return out


def _insert_many(col: Any, insert: str, rows: list[tuple[Any, ...]], per_statement: int = 2000) -> None:
    width = len(rows[0]) if rows else 0
    for i in range(0, len(rows), per_statement):
        chunk = rows[i : i + per_statement]
        values = ",".join(["(" + ",".join("?" * width) + ")"] * len(chunk))
        col.db.execute(f"{insert} {values}", *[v for row in chunk for v in row])


def build_package(directory: Path, case: Case, *, legacy: bool) -> tuple[Path, int]:
    """The package of ``case``, exported by Anki; and its number of reviews."""
    from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

    col = Collection(str(directory / f"source-{case.notes}-{case.history}-{legacy}.anki2"))
    basic = col.models.by_name("Basic")
    assert basic is not None
    decks = [col.decks.id(f"Bench::Part {i}") for i in range(10)]
    requests = []
    for i in range(case.notes):
        note = col.new_note(basic)
        note["Front"] = f"Question {i}: what is the shape of <b>torch.zeros({i % 7 + 1}, 3)</b>?"
        note["Back"] = f"({i % 7 + 1}, 3)"
        note.tags = ["bench", f"group{i % 20}"]
        requests.append(AddNoteRequest(note=note, deck_id=decks[i % len(decks)]))
    col.add_notes(requests)
    reviews = 0
    if case.history:
        rng = random.Random(case.history)
        now_ms = int(time.time() * 1000)
        start_ms = now_ms - 500 * DAY_MS
        card_ids = col.db.list("SELECT id FROM cards ORDER BY id")[: case.history]
        used: set[int] = set()
        rows, states = [], []
        for cid in card_ids:
            history = _history(start_ms, now_ms - DAY_MS, rng)
            for t, ease, ivl, last_ivl, kind in history:
                while t in used:
                    t += 1
                used.add(t)
                rows.append((t, cid, -1, ease, ivl, last_ivl, 2500, rng.randrange(2_000, 20_000), kind))
            last_t, _, ivl, _, _ = history[-1]
            lapses = sum(1 for h in history if h[4] == 1 and h[1] == 1)
            due = col.sched.today + max(0, (last_t + ivl * DAY_MS - now_ms) // DAY_MS)
            states.append((ivl, due, len(history), lapses, cid))
        # Many rows per statement: each statement is one call into Anki's backend.
        _insert_many(col, "INSERT INTO revlog VALUES", rows)
        col.db.execute("CREATE TEMP TABLE bench_state (ivl, due, reps, lapses, id PRIMARY KEY)")
        _insert_many(col, "INSERT INTO bench_state VALUES", states)
        col.db.execute(
            "UPDATE cards SET type = 2, queue = 2, ivl = s.ivl, due = s.due, reps = s.reps, lapses = s.lapses, "
            "factor = 2500 FROM bench_state AS s WHERE cards.id = s.id"
        )
        col.db.execute("DROP TABLE bench_state")
        reviews = len(rows)
    out = directory / f"bench-{case.notes}-{case.history}-{'legacy' if legacy else 'current'}.apkg"
    col.export_anki_package(
        out_path=str(out),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=legacy),
        limit=None,
    )
    col.close()
    return out, reviews


def time_quizapp(package: Path, db: Path) -> tuple[float, int, int]:
    """(seconds, cards added, reviews imported) of the import use case."""
    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    service = Service(make_engine(f"sqlite:///{db}"), "bench")
    start = time.perf_counter()
    report = service.import_paths([package])
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors
    return elapsed, report.added, report.reviews


def time_anki(package: Path, db: Path) -> tuple[float, int]:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(db))
    start = time.perf_counter()
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
    )
    elapsed = time.perf_counter() - start
    count = col.note_count()
    col.close()
    return elapsed, count


_ANKI_PROCESS = """
import sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions(with_scheduling=True)))
col.close()
"""


def _process(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def processes(package: Path, directory: Path, tag: str) -> tuple[float, float]:
    """Wall time of the whole quizapp command and of a whole Anki process."""
    db = directory / f"process-{tag}.sqlite3"
    ours = _process([sys.executable, "-m", "quizapp", "--db", str(db), "import", str(package)])
    theirs = _process([sys.executable, "-c", _ANKI_PROCESS, str(directory / f"process-{tag}.anki2"), str(package)])
    return ours, theirs


def _row(label: str, ours: float, theirs: float) -> str:
    return f"  {label:<9} quizapp {ours:7.2f} s   anki {theirs:7.2f} s   ratio {ours / theirs:5.2f}"


def run_case(directory: Path, case: Case, *, whole: bool, formats: tuple[bool, ...] = (False, True)) -> None:
    for legacy in formats:
        t0 = time.perf_counter()
        package, reviews = build_package(directory, case, legacy=legacy)
        built = time.perf_counter() - t0
        tag = f"{case.notes}-{case.history}-{legacy}"
        ours, added, imported = time_quizapp(package, directory / f"quizapp-{tag}.sqlite3")
        theirs, notes = time_anki(package, directory / f"anki-{tag}.anki2")
        kind = "legacy collection.anki2" if legacy else "current collection.anki21b"
        print(
            f"{case.name} ({kind}): {case.notes} notes, {reviews} reviews, "
            f"{package.stat().st_size / 1e6:.1f} MB, built in {built:.1f} s; "
            f"quizapp added {added} cards and {imported} reviews, anki {notes} notes"
        )
        print(_row("use case", ours, theirs))
        if whole:
            print(_row("process", *processes(package, directory, tag)))
        sys.stdout.flush()
        package.unlink()


def build_toml(path: Path, cards: int) -> None:
    lines = ['format = 1\n\n[deck]\nname = "Bench TOML"\nid = "bench-toml"\n']
    for i in range(cards):
        lines.append(
            f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}: the shape of torch.zeros({i % 7 + 1}, 3)?"\n'
            f'back = "({i % 7 + 1}, 3)"\ntags = ["bench", "group{i % 20}"]\n'
        )
    path.write_text("".join(lines), encoding="utf-8")


def build_vault(folder: Path, notes: int) -> int:
    """``notes`` Markdown notes in 20 folders, each with 3 flashcards: returns the cards."""
    for i in range(notes):
        sub = folder / f"topic{i % 20}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note{i}.md").write_text(
            f"# Note {i}\n\n#flashcards/Vault\n\nSome prose about tensors, note {i}.\n\n"
            f"What does torch.zeros({i % 7 + 1}, 3).shape give?::({i % 7 + 1}, 3)\n\n"
            f"The default dtype of torch.ones({i})?\n?\ntorch.float32\n\n"
            f"A tensor of rank {i % 4} has =={i % 4}== dimensions.\n",
            encoding="utf-8",
        )
    return notes * 3


def run_files(directory: Path, *, whole: bool) -> None:
    toml = directory / "bench.toml"
    build_toml(toml, 20_000)
    vault = directory / "vault"
    build_vault(vault, 2_000)
    for label, path in (("TOML deck, 20,000 cards", toml), ("Markdown vault, 2,000 notes", vault)):
        ours, added, _ = time_quizapp(path, directory / f"quizapp-{path.stem}.sqlite3")
        line = f"{label}: quizapp {ours:.2f} s ({added} cards added)"
        if whole:
            db = directory / f"process-{path.stem}.sqlite3"
            line += f"; whole process {_process([sys.executable, '-m', 'quizapp', '--db', str(db), 'import', str(path)]):.2f} s"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 20k notes and 85k reviews")
    parser.add_argument("--no-processes", action="store_true", help="skip the whole-process timings")
    parser.add_argument("--only", nargs="*", help="case names to run (1k, 20k, 200k, '5k+85k reviews', files)")
    parser.add_argument("--format", choices=("both", "current", "legacy"), default="both", help="package formats")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for case in CASES:
            if (args.quick and case.name not in QUICK) or (args.only and case.name not in args.only):
                continue
            formats = {"both": (False, True), "current": (False,), "legacy": (True,)}[args.format]
            run_case(directory, case, whole=not args.no_processes, formats=formats)
        if not args.only or "files" in args.only:
            run_files(directory, whole=not args.no_processes)


if __name__ == "__main__":
    main()
