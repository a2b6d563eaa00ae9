"""Time of the parsers and matchers on hostile input (issue 9: they must be
linear in their input, not quadratic or worse).

    .venv/bin/python benchmarks/parsers.py [--limit SECONDS]

Each case runs in a child process, stopped after ``--limit`` seconds (default
60) and then reported as "> limit": a regex that backtracks in C can't be
interrupted otherwise. The cases:

- csv-200k: a 200 KB Anki text file, 11 rows whose two fields hold 9,000 ``<`` each;
- field-100k: one field of 100,000 ``<`` (refused: fields have a size limit);
- html-a-50k: an Anki field of 50,000 ``<a`` (html.parser's worst case);
- html-sound-20k: an Anki field of 20,000 ``[sound:`` without a ``]``;
- tag-200-stars: the browser's search ``tag:`` with 200 ``*`` and an ``x``;
- deck-wildcards: ``deck:*a*a*a*a*a*ab`` against a deck named with 3,000 ``a``;
- words-wildcards: the free-text search ``*a*a*a*a*a*ab`` against fronts of 3,000 ``a``;
- markdown-*: notes of 10 lines, each a 99 KB line of one construct repeated
  (``==a``, ``{{c1::``, ``<!--``, ``[[``, ``<img``, ``![a](``, tags, list items).
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _csv(rows: int, width: int) -> Callable[[], object]:
    def run() -> object:
        from quizapp.importers.anki_text import read_anki_text
        from quizapp.importers.base import DeckError

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "hostile.txt"
            lines = [f"q{i} {'<' * width}\tback {'<' * width}\n" for i in range(rows)]
            path.write_text("#separator:tab\n" + "".join(lines), encoding="utf-8")
            try:
                return f"{len(read_anki_text(path).cards)} cards"
            except DeckError as exc:
                return str(exc)[:60]

    return run


def _html_field(text: str) -> Callable[[], object]:
    def run() -> object:
        from quizapp.anki.html_text import html_to_text

        return f"{len(html_to_text(text))} characters"

    return run


def _search(query: str, deck: str, front: str) -> Callable[[], object]:
    def run() -> object:
        from sqlmodel import Session

        from quizapp.store import queries
        from quizapp.store.engine import make_engine
        from quizapp.store.models import Card
        from quizapp.store.search import search

        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/bench.db")
            with Session(engine) as session:
                user_id = queries.get_or_create_user(session=session, name="bench").id
                deck_id = queries.ensure_deck(session=session, name=deck).id
                for i in range(20):
                    session.add(
                        Card(
                            id=f"b:{i}",
                            deck_id=deck_id,
                            kind="basic",
                            front=front,
                            back="back",
                            tags="t1 t2::child " + "a" * 200,
                            source="toml:bench",
                            position=i,
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
                session.commit()
            assert user_id is not None
            started = time.perf_counter()
            rows = search(engine, user_id, query, NOW)
            engine.dispose()
            return f"{len(rows)} rows in {time.perf_counter() - started:.3f} s of search"

    return run


def _markdown(line: str) -> Callable[[], object]:
    def run() -> object:
        from quizapp.importers.base import DeckError
        from quizapp.importers.markdown import read_markdown

        text = (line * (100_000 // len(line)))[:99_000]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "hostile.md"
            path.write_text("#flashcards\n" + "\n".join([text] * 10) + "\n", encoding="utf-8")
            try:
                return f"{len(read_markdown(path).cards)} cards"
            except DeckError as exc:
                return str(exc)[:60]

    return run


CASES: dict[str, Callable[[], object]] = {
    "csv-200k": _csv(11, 9_000),
    "field-100k": _csv(1, 100_000),
    "html-a-50k": _html_field("<a" * 50_000),
    "html-sound-20k": _html_field("[sound:" * 20_000),
    "tag-200-stars": _search("tag:" + "*" * 200 + "x", "Bench", "front"),
    "deck-wildcards": _search("deck:*a*a*a*a*a*ab", "a" * 3000, "front"),
    "words-wildcards": _search("*a*a*a*a*a*ab", "Bench", "a" * 3000),
    "markdown-highlight": _markdown("==a "),
    "markdown-cloze": _markdown("{{c1::a "),
    "markdown-comment": _markdown("<!--a"),
    "markdown-wikilink": _markdown("[[a"),
    "markdown-img": _markdown("<img a"),
    "markdown-image": _markdown("![a]("),
    "markdown-question": _markdown("a::b:"),
    "markdown-tags": _markdown("#a "),
    "markdown-sound": _markdown("[sound: "),
}


def _child(name: str, queue: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    result = CASES[name]()
    queue.put((time.perf_counter() - started, result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a case is stopped")
    parser.add_argument("cases", nargs="*", help=f"cases to run (default all: {', '.join(CASES)})")
    args = parser.parse_args()
    for name in args.cases or CASES:
        queue: multiprocessing.Queue = multiprocessing.Queue()
        process = multiprocessing.Process(target=_child, args=(name, queue))
        process.start()
        process.join(args.limit)
        if process.is_alive():
            process.kill()
            process.join()
            print(f"{name:20} > {args.limit:.0f} s (stopped)", flush=True)
        else:
            seconds, result = queue.get()
            print(f"{name:20} {seconds:8.3f} s   {result}", flush=True)


if __name__ == "__main__":
    main()
