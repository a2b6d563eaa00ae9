"""Several processes answering the same card of the same learner: no answer
is lost, and the review log and the card's state agree (item 5 of issue 9).

Each answer is computed from the state as it is inside its write
transaction (BEGIN IMMEDIATE on SQLite, store/engine.py), so 300 answers
make 300 log rows and ``reps == 300`` whatever the interleaving.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.synchronize

import pytest
from sqlmodel import Session, col, func, select

from quizapp.domain import Rating
from quizapp.importers.toml_deck import read_toml_deck
from quizapp.service import Service
from quizapp.store.engine import make_engine
from quizapp.store.models import CardState, ReviewLog

PROCESSES = 4
ANSWERS_EACH = 75
CARD = "small:one"


def _answer_many(db_url: str, count: int, start: multiprocessing.synchronize.Event) -> None:
    engine = make_engine(db_url)
    service = Service(engine, "ana")
    start.wait(30)
    for i in range(count):
        service.answer(CARD, Rating.GOOD if i % 3 else Rating.AGAIN)
    engine.dispose()


@pytest.mark.slow  # other processes
def test_processes_answering_one_card_lose_nothing(db_url, small_deck):
    engine = make_engine(db_url)
    Service(engine, "ana").sync_deck(read_toml_deck(small_deck))
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: no shared connections
    start = context.Event()
    workers = [context.Process(target=_answer_many, args=(db_url, ANSWERS_EACH, start)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(240)
    assert [w.exitcode for w in workers] == [0] * PROCESSES  # no error in any process
    total = PROCESSES * ANSWERS_EACH
    with Session(engine) as session:
        logs = session.exec(select(func.count()).select_from(ReviewLog).where(ReviewLog.card_id == CARD)).one()
        state = session.get(CardState, (1, CARD))
        assert state is not None
        assert (logs, state.reps) == (total, total)
        # Each log row's snapshot of the state before it is the state the
        # previous row left: the answers are in one order, none overlapping.
        previous_reps = [
            (json.loads(row.previous) or {"reps": 0})["reps"]
            for row in session.exec(select(ReviewLog).order_by(col(ReviewLog.id)))
        ]
        assert previous_reps == list(range(total))
    engine.dispose()
