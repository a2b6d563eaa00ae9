"""Time to import an Anki package of 20,000 notes with quizapp, beside the
time the real Anki library (the `anki` package, a test dependency) takes to
import the same package, in the same run.

    .venv/bin/python benchmarks/import_apkg.py [--notes N]

The package is made by Anki itself: N Basic notes in nested decks, with tags,
exported in the current format (collection.anki21b) and the legacy one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def build_package(directory: Path, notes: int, *, legacy: bool) -> Path:
    from anki.collection import Collection, ExportAnkiPackageOptions

    col = Collection(str(directory / f"source-{legacy}.anki2"))
    basic = col.models.by_name("Basic")
    decks = [col.decks.id(f"Bench::Part {i}") for i in range(10)]
    for i in range(notes):
        note = col.new_note(basic)
        note["Front"] = f"Question {i}: what is the shape of <b>torch.zeros({i % 7 + 1}, 3)</b>?"
        note["Back"] = f"({i % 7 + 1}, 3)"
        note.tags = ["bench", f"group{i % 20}"]
        col.add_note(note, decks[i % len(decks)])
    out = directory / f"bench-{'legacy' if legacy else 'current'}.apkg"
    col.export_anki_package(
        out_path=str(out),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=legacy),
        limit=None,
    )
    col.close()
    return out


def time_quizapp(package: Path, directory: Path) -> tuple[float, int]:
    from quizapp.service import Service
    from quizapp.store.engine import make_engine

    engine = make_engine(f"sqlite:///{directory / f'quizapp-{package.stem}.sqlite3'}")
    service = Service(engine, "bench")
    start = time.perf_counter()
    report = service.import_paths([package])
    elapsed = time.perf_counter() - start
    assert report.ok, report.errors
    return elapsed, report.added


def time_anki(package: Path, directory: Path) -> tuple[float, int]:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(directory / f"anki-{package.stem}.anki2"))
    start = time.perf_counter()
    col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True))
    )
    elapsed = time.perf_counter() - start
    count = col.note_count()
    col.close()
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for legacy in (False, True):
            t0 = time.perf_counter()
            package = build_package(directory, args.notes, legacy=legacy)
            built = time.perf_counter() - t0
            ours, added = time_quizapp(package, directory)
            theirs, notes = time_anki(package, directory)
            kind = "legacy (collection.anki21)" if legacy else "current (collection.anki21b)"
            print(f"{kind}: {args.notes} notes, package {package.stat().st_size / 1e6:.1f} MB (built in {built:.1f} s)")
            print(f"  quizapp import: {ours:.2f} s ({added} cards added)")
            print(f"  anki import:    {theirs:.2f} s ({notes} notes)")


if __name__ == "__main__":
    main()
