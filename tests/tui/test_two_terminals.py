"""Two TUIs open on one database answering the same new card: both answers
are recorded, in order, with no error on either screen (issue 9, item 5)."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from sqlmodel import Session, col, select

from quizapp.settings import Settings
from quizapp.store.models import CardState, ReviewLog
from quizapp.tui.app import make_app

SIZE = (100, 30)
DECK = "PyTorch (EN)::PyTorch and tensors"


async def settle(app, pilot) -> None:
    # Not workers.wait_for_complete(): the answer's worker starts the next
    # card's in its exclusive group, which marks the first one cancelled.
    deadline = time.monotonic() + 20
    while any(worker.is_running for worker in app.workers) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await pilot.pause()


async def test_two_apps_answer_the_same_new_card(db_url):
    settings = Settings(database_url=db_url, user="tester", start_kernel=False, start_in_review=True, review_deck=DECK)
    first, second = make_app(settings), make_app(settings)
    errors: list[str] = []
    for app in (first, second):
        original = app.notify

        def notify(message, *args, _original=original, **kwargs):
            if kwargs.get("severity") == "error":
                errors.append(str(message))
            return _original(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        await settle(first, one)
        await settle(second, two)
        card = first.screen.card.id
        assert second.screen.card.id == card  # both show the same new card
        # The first terminal's answer is slow to compute, so the second's
        # comes while the first's transaction is open: the race of two
        # terminals answering the same new card, every time.
        scheduler = first.service.ctx.scheduler
        slow_outcome = scheduler.outcome

        def outcome(*args, **kwargs):
            computed.set()
            time.sleep(1.0)
            return slow_outcome(*args, **kwargs)

        computed = threading.Event()
        scheduler.outcome = outcome  # type: ignore[method-assign]
        await one.press("enter", "enter")  # show, accept Good
        await asyncio.get_running_loop().run_in_executor(None, computed.wait, 10)
        await two.press("enter", "enter")  # the other terminal answers it too, meanwhile
        await settle(second, two)
        await settle(first, one)
        assert type(second.screen).__name__ == "ReviewScreen"
    assert errors == []
    with Session(first.service.engine) as session:
        logs = list(session.exec(select(ReviewLog).where(ReviewLog.card_id == card).order_by(col(ReviewLog.id))))
        state = session.get(CardState, (first.service.user_id, card))
    assert len(logs) == 2 and state is not None and state.reps == 2
    assert json.loads(logs[0].previous) is None  # the first answer saw a new card
    assert json.loads(logs[1].previous)["reps"] == 1  # the second, the first's result
    assert logs[0].reviewed_at <= logs[1].reviewed_at or logs[0].id < logs[1].id
