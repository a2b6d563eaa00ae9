"""Use case: export. The learner's cards as an Anki package (.apkg), an Anki
text file (.csv) or quizapp's own TOML. The file is written to a temporary
name beside the target and moved into place, so a failure never leaves half
a file. Anki can't run torch: live cards are left out of Anki formats.

Without a deck, every deck but the built-in ones (``decks/``, installed at
every start anyway) is exported; a built-in deck is exported when named.
Every card keeps its id and its deck, so importing the file adds and updates
nothing, into the same database or, past the built-in decks, a fresh one."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from quizapp.domain import BUILTIN_SOURCE_PREFIX, MemoryState, ReviewKind
from quizapp.exporters.base import CardSchedule, Scheduling
from quizapp.importers.base import ParsedReview
from quizapp.service.context import Context
from quizapp.service.decks import cards
from quizapp.service.views import CardView
from quizapp.store.models import Card, CardState, ReviewLog

#: Card ids per IN (...) query (SQLite allows 32,766 parameters).
_CHUNK = 500

FORMATS = ("apkg", "csv", "toml")


class ExportError(Exception):
    """The export could not be written; the message is one line."""


@dataclass(frozen=True)
class ExportReport:
    path: Path
    #: Cards written to the file (as an import counts them: a reversed note is two).
    written: int
    #: Live (generated or code) cards left out: Anki can't run them.
    left_out: int
    #: The learner's past reviews written (Anki packages with scheduling).
    reviews: int = 0


def export_cards(
    ctx: Context, output: Path, fmt: str, *, deck: str | None = None, scheduling: bool = True
) -> ExportReport:
    """Write the active cards (of ``deck`` and its subdecks, or all) to
    ``output`` in format ``fmt``. An Anki package carries the learner's card
    states and review log unless ``scheduling`` is False (the other formats
    hold cards only)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not output.parent.is_dir():
        raise ExportError(f"{output.parent}: no such directory")
    chosen = cards(ctx, deck) if deck is not None else _without_builtin(ctx, cards(ctx))
    if not chosen:
        raise ExportError("no cards to export" + ("" if deck else " (built-in decks are exported when named: --deck)"))
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    tmp = Path(name)
    reviews = 0
    try:
        if fmt == "toml":
            from quizapp.exporters.toml_deck import write_toml_deck

            written, left_out = write_toml_deck(chosen, tmp, deck_name=deck), 0
        elif fmt == "csv":
            from quizapp.exporters.anki_text import write_anki_text

            left_out = write_anki_text(chosen, tmp)
            written = len(chosen) - left_out
        else:
            from quizapp.exporters.apkg import write_apkg

            schedule = _scheduling(ctx, chosen) if scheduling else None
            left_out = write_apkg(chosen, tmp, scheduling=schedule)
            written = len(chosen) - left_out
            reviews = len(schedule.reviews) if schedule is not None else 0
        os.replace(tmp, output)
    except OSError as exc:
        raise ExportError(f"{output}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return ExportReport(path=output, written=written, left_out=left_out, reviews=reviews)


def _without_builtin(ctx: Context, chosen: list[CardView]) -> list[CardView]:
    """``chosen`` less the cards of the built-in decks."""
    with ctx.read() as session:
        builtin = set(session.exec(select(Card.id).where(col(Card.source).startswith(BUILTIN_SOURCE_PREFIX))))
    return [card for card in chosen if card.id not in builtin]


def _scheduling(ctx: Context, chosen: list[CardView]) -> Scheduling:
    """The learner's states and review log of the ``chosen`` cards, on their calendar."""
    ids = [card.id for card in chosen]
    now = ctx.clock()
    days = ctx.days
    states: dict[str, CardSchedule] = {}
    reviews: list[ParsedReview] = []
    with ctx.read() as session:
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            rows = session.exec(
                select(CardState).where(CardState.user_id == ctx.user_id, col(CardState.card_id).in_(chunk))
            )
            for row in rows:
                states[row.card_id] = CardSchedule(
                    state=MemoryState(row.state),
                    step=row.step,
                    stability=row.stability,
                    difficulty=row.difficulty,
                    due=row.due,
                    due_day=days.day_of(row.due) if row.due is not None else None,
                    last_review=row.last_review,
                    reps=row.reps,
                    lapses=row.lapses,
                    suspended=row.suspended,
                    buried=row.buried_until is not None and row.buried_until > now,
                )
            logs = session.exec(
                select(ReviewLog)
                .where(ReviewLog.user_id == ctx.user_id, col(ReviewLog.card_id).in_(chunk))
                .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
            )
            reviews.extend(
                ParsedReview(
                    card_id=log.card_id,
                    reviewed_at=log.reviewed_at,
                    rating=log.rating,
                    kind=ReviewKind.of_state(MemoryState(log.state_before)),
                    interval_before_days=log.interval_before_days,
                    interval_after_days=log.interval_after_days,
                    duration_ms=log.duration_ms,
                )
                for log in logs
            )
    config = ctx.config
    return Scheduling(
        cards=states,
        reviews=sorted(reviews, key=lambda r: r.reviewed_at),
        today=days.day_of(now),
        day_start_hour=config.day_start_hour,
        desired_retention=config.desired_retention,
        learning_steps=len(config.learning_steps),
        relearning_steps=len(config.relearning_steps),
        parameters=tuple(config.parameters),
    )
