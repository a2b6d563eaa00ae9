"""A class on one database: many learners answering at once from several
processes (tests/store/test_class.py runs it as a test, benchmarks/class_scenario.py
times it).

The course deck is imported once; then each process serves its share of the
learners, taking turns among them: the next card of a learner, an answer
(a rating drawn from a generator seeded by the learner and the turn), the
next learner. Every answer given is recorded in the process and checked
afterwards against the database: no answer lost or written twice, and each
learner's schedule holds their own answers only.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.synchronize
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Service
from quizapp.store.engine import make_engine
from quizapp.store.models import CardState, ReviewLog, User

#: Cards in the course deck.
COURSE_CARDS = 40


def course_deck(folder: Path, cards: int = COURSE_CARDS) -> Path:
    """The course's deck, as a teacher would write it."""
    lines = ["format = 1", "[deck]", 'id = "course"', 'name = "Course"', ""]
    for i in range(cards):
        lines += ["[[cards]]", f'id = "c{i:03d}"', f'front = "Question {i}?"', f'back = "Answer {i}"', ""]
    path = folder / "course.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def learner_name(i: int) -> str:
    return f"learner{i:03d}"


def setup_class(url: str, folder: Path, learners: int) -> None:
    """Import the course deck once and create the learners."""
    engine = make_engine(url)
    try:
        Service(engine, "teacher").sync_deck(read_toml_deck(course_deck(folder)))
        for i in range(learners):
            Service(engine, learner_name(i))
    finally:
        engine.dispose()


def _rating(learner: int, turn: int) -> Rating:
    return random.Random(learner * 100_003 + turn).choice([Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD])


def _serve(url: str, learners: list[int], turns: int, start: multiprocessing.synchronize.Event, out: str) -> None:
    """One process: ``turns`` rounds over its learners, one answer each."""
    engine = make_engine(url)
    services = {i: Service(engine, learner_name(i)) for i in learners}
    given: list[list[object]] = []
    start.wait(300)  # every process ready: the answers start together
    for turn in range(turns):
        for i, service in services.items():
            card = service.next_card(generated=False)
            if card is None:
                continue
            rating = _rating(i, turn)
            service.answer(card.id, rating, duration_ms=1000)
            given.append([learner_name(i), card.id, int(rating)])
    engine.dispose()
    Path(out).write_text(json.dumps(given), encoding="utf-8")


@dataclass(frozen=True)
class ClassRun:
    answers: list[tuple[str, str, int]]
    seconds: float
    exit_codes: list[int | None]

    @property
    def per_second(self) -> float:
        return len(self.answers) / self.seconds if self.seconds else 0.0


def run_class(url: str, folder: Path, *, learners: int, processes: int, turns: int) -> ClassRun:
    """Learners 0..learners-1 spread over ``processes`` processes (fresh
    interpreters: no shared connection), each answering ``turns`` times."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    outs = [str(folder / f"answers-{p}.json") for p in range(processes)]
    workers = [
        context.Process(target=_serve, args=(url, list(range(p, learners, processes)), turns, start, outs[p]))
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait(300)  # the processes have opened their engines and services
    began = time.perf_counter()
    for worker in workers:
        worker.join(600)
    seconds = time.perf_counter() - began
    answers: list[tuple[str, str, int]] = []
    for out in outs:
        if Path(out).exists():
            answers += [tuple(row) for row in json.loads(Path(out).read_text(encoding="utf-8"))]  # type: ignore[misc]
    return ClassRun(answers, seconds, [w.exitcode for w in workers])


def check_class(url: str, run: ClassRun) -> None:
    """The database holds exactly the answers given, each learner's schedule
    their own: raises AssertionError saying what differs."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            names = dict(session.exec(select(User.id, User.name)).all())
            logged = Counter(
                (names[user], card, rating)
                for user, card, rating in session.exec(
                    select(ReviewLog.user_id, ReviewLog.card_id, ReviewLog.rating)
                ).all()
            )
            given = Counter(run.answers)
            assert logged == given, f"lost: {given - logged}, extra: {logged - given}"
            # Each learner's card states: exactly the cards they answered, with
            # as many repetitions as answers, and each log row's snapshot of
            # the state before it is what the learner's previous answer left.
            per_card = Counter((name, card) for name, card, _ in run.answers)
            states = {(names[s.user_id], s.card_id): s.reps for s in session.exec(select(CardState)).all()}
            assert states == dict(per_card), "card states differ from the answers given"
            chains: dict[tuple[int, str], list[int]] = {}
            for row in session.exec(select(ReviewLog).order_by(col(ReviewLog.id))).all():
                chains.setdefault((row.user_id, row.card_id), []).append(
                    (json.loads(row.previous) or {"reps": 0})["reps"]
                )
            for key, reps in chains.items():
                assert reps == list(range(len(reps))), f"answers of {key} overlapped: {reps}"
    finally:
        engine.dispose()
