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

from quizapp.domain import BUILTIN_SOURCE_PREFIX
from quizapp.service.context import Context
from quizapp.service.decks import cards
from quizapp.service.views import CardView
from quizapp.store.models import Card

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


def export_cards(ctx: Context, output: Path, fmt: str, *, deck: str | None = None) -> ExportReport:
    """Write the active cards (of ``deck`` and its subdecks, or all) to
    ``output`` in format ``fmt``."""
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

            left_out = write_apkg(chosen, tmp)
            written = len(chosen) - left_out
        os.replace(tmp, output)
    except OSError as exc:
        raise ExportError(f"{output}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return ExportReport(path=output, written=written, left_out=left_out)


def _without_builtin(ctx: Context, chosen: list[CardView]) -> list[CardView]:
    """``chosen`` less the cards of the built-in decks."""
    with ctx.read() as session:
        builtin = set(session.exec(select(Card.id).where(col(Card.source).startswith(BUILTIN_SOURCE_PREFIX))))
    return [card for card in chosen if card.id not in builtin]
