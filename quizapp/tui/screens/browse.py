"""The card browser: search, the results, the highlighted card's text and
review history, and Anki's browser actions (suspend, bury, reset, edit, move).

Every database call runs in a thread worker that posts a message back.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Header, Input, Label, Static, TextArea
from textual.worker import get_current_worker

from quizapp.domain import MemoryState
from quizapp.i18n import N_, _, ngettext
from quizapp.service import CardView
from quizapp.service.browse import DEFAULT_LIMIT, BrowseRow, CardInfo, HistoryRow, QueryError, short
from quizapp.text import visible
from quizapp.tui.localized import localize_bindings, rating_label, word
from quizapp.tui.messages import ActionDone, CountDone, DecksReady, EditorReady, InfoLoaded, SearchDone
from quizapp.tui.screens.base import QuizScreen, WorkFailure
from quizapp.tui.screens.confirm import ConfirmScreen
from quizapp.tui.widgets.card_text import card_text, plain

#: What a built-in card's edit or move is refused with (the service says the same).
BUILTIN_NOTICES = {
    "edited": N_(
        "Built-in cards can't be edited: they are re-synced from decks/ at every start, "
        "so the change would be lost. Import a deck of your own instead."
    ),
    "moved": N_(
        "Built-in cards can't be moved: they are re-synced from decks/ at every start, "
        "so the change would be lost. Import a deck of your own instead."
    ),
}
DECK_WIDTH, FRONT_WIDTH = 16, 14
#: Results columns: (label, key, width); with their padding they fit an
#: 80-column terminal (the front takes what is left beyond that).
COLUMNS = (
    (N_("Deck"), "deck", DECK_WIDTH),
    (N_("Front"), "front", FRONT_WIDTH),
    (N_("State"), "state", 8),
    (N_("Due date"), "due", 10),
    (N_("Reps"), "reps", 4),
    (N_("Lapses"), "lapses", 6),
    (N_("Flags"), "flags", 5),
)
#: A flag's letter in the Flags column (the card pane spells them out).
FLAG_LETTERS = {"suspended": N_("S"), "leech": N_("L"), "buried": N_("B")}
SEARCH_HELP = 'deck:"NAME", tag:NAME, is:due|new|learn|review|suspended|leech|buried, due:N, -term, or'


# -- dialogs ----------------------------------------------------------------------


class EditCardScreen(ModalScreen[tuple[str, str] | None]):
    """Edit a card's front and back; dismisses with (front, back), or None."""

    DEFAULT_CSS = """
    EditCardScreen { align: center middle; }
    EditCardScreen > Vertical {
        width: 90%; height: 90%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    EditCardScreen Label { margin-top: 1; text-style: bold; }
    EditCardScreen TextArea { height: 1fr; }
    EditCardScreen #edit-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, card: CardView) -> None:
        super().__init__()
        localize_bindings(self)
        self.card = card

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(plain(_("Edit {card} ({deck})").format(card=self.card.id, deck=self.card.deck)))
            yield Label(_("Front side"))
            yield TextArea(visible(self.card.front), id="edit-front")
            yield Label(_("Back side"))
            yield TextArea(visible(self.card.back), id="edit-back")
            yield Static(_("Ctrl+S saves · Escape cancels · Tab moves between front and back"), id="edit-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#edit-front", TextArea).focus()

    def action_save(self) -> None:
        # What was pasted is data too: no control character is saved.
        front = visible(self.query_one("#edit-front", TextArea).text)
        back = visible(self.query_one("#edit-back", TextArea).text)
        if not front.strip():
            self.notify(_("The front can't be empty."), severity="warning")
            return
        self.dismiss((front, back))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeckScreen(ModalScreen[str | None]):
    """Ask for a deck name (new or existing); dismisses with it, or None."""

    DEFAULT_CSS = """
    DeckScreen { align: center middle; }
    DeckScreen > Vertical {
        width: 70; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    DeckScreen #deck-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, current: str, names: list[str]) -> None:
        super().__init__()
        localize_bindings(self)
        self.current, self.names = current, names

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(plain(_("Move to deck (now: {deck})").format(deck=self.current)))
            yield Input(self.current, id="deck-name", suggester=SuggestFromList(self.names, case_sensitive=False))
            yield Static(
                _("Enter moves the card (a new deck is created; use :: for subdecks) · Escape cancels"), id="deck-hint"
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.notify(_("Type a deck name."), severity="warning")
            return
        self.dismiss(visible(name))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the browser ----------------------------------------------------------------------


class BrowseScreen(QuizScreen[None]):
    BINDINGS = [
        Binding("escape", "leave", N_("Back")),
        Binding("slash,ctrl+f", "focus_search", N_("Search")),
        Binding("at", "toggle_suspend", N_("Suspend")),
        Binding("minus", "toggle_bury", N_("Bury")),
        Binding("r", "reset", N_("Reset")),
        Binding("e", "edit", N_("Edit")),
        Binding("d", "change_deck", N_("Change deck")),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        #: The query the results show (the input may hold a newer one).
        self.search_query = query
        self.rows: dict[str, BrowseRow] = {}
        self.info: CardInfo | None = None
        self.front_width = FRONT_WIDTH

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            self.search_query,
            placeholder=_("Search: words, {syntax}; Enter").format(syntax=SEARCH_HELP),
            id="browse-query",
        )
        yield Static(_("Searching…"), id="browse-status")
        results: DataTable[str | Text] = DataTable(id="browse-results", cursor_type="row", zebra_stripes=True)
        # The columns fit 80 columns; the front takes what a wider terminal adds.
        self.front_width = FRONT_WIDTH + max(self.app.size.width - 80, 0)
        for label, key, width in COLUMNS:
            results.add_column(_(label), key=key, width=self.front_width if key == "front" else width)
        yield results
        with Horizontal(id="browse-detail"):
            with VerticalScroll(id="browse-card-pane"):
                yield Static("", id="browse-card")
            with Vertical(id="browse-history-pane"):
                history: DataTable[str | Text] = DataTable(id="browse-history", cursor_type="row", zebra_stripes=True)
                history.add_column(_("Date"), key="date", width=16)
                history.add_column(_("Rating"), key="rating", width=9)
                history.add_column(_("Interval (days)"), key="interval", width=16)
                history.add_column(_("Asked"), key="asked", width=28)
                history.add_column(_("Answered"), key="answered", width=14)
                history.add_column(_("Right answer"), key="right", width=14)
                yield history
                yield Static("", id="browse-review")
        # Every key fits 80 columns in both languages (Ctrl+P still opens the palette).
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        # Focus on the results, so the keys in the footer work ("/" searches).
        self.query_one("#browse-results", DataTable).focus()
        self.run_search(self.search_query)

    # -- search -------------------------------------------------------------

    @on(Input.Submitted, "#browse-query")
    def submitted(self, event: Input.Submitted) -> None:
        self.query_one("#browse-status", Static).update(_("Searching…"))
        self.run_search(event.value.strip(), focus=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-search", description=N_("searching"))
    def run_search(self, query: str, keep: str | None = None, focus: bool = False) -> None:
        rows = self.service.search_cards(query, DEFAULT_LIMIT)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchDone(query, rows, keep=keep, focus=focus))

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-count", description=N_("counting the cards"))
    def count_matches(self, query: str) -> None:
        total = self.service.count_cards(query)
        if not get_current_worker().is_cancelled:
            self.post_message(CountDone(query, total))

    def show_failure(self, failure: WorkFailure) -> None:
        error = failure.error
        if failure.work == "run_search":  # the previous results stay
            reason = str(error) if isinstance(error, QueryError) else failure.detail
            self.query_one("#browse-status", Static).update(plain(f"✗ {reason}"))
        elif failure.work == "count_matches":
            pass  # the rows are shown; the total is a nicety
        elif failure.work == "load_info":
            self.query_one("#browse-card", Static).update(plain(f"✗ {failure.detail}"))
        else:  # the dialogs and the card actions
            if isinstance(error, KeyError):
                notice = _("No such card: {card}").format(card=error.args[0] if error.args else "")
            elif isinstance(error, ValueError):  # CardLocked included: the reason is for the learner
                notice = str(error)
            else:
                notice = failure.text
            self.notify(visible(notice), severity="error", timeout=6, markup=False)

    @on(SearchDone)
    def show_results(self, message: SearchDone) -> None:
        status = self.query_one("#browse-status", Static)
        self.search_query = message.query
        table = self.query_one("#browse-results", DataTable)
        old_index = table.cursor_row
        keep = message.keep if message.keep or message.focus else self._current_id()
        table.clear()
        self.rows = {row.id: row for row in message.rows}
        for row in message.rows:
            table.add_row(
                plain(deck_cell(row.deck, DECK_WIDTH)),
                plain(short(row.front, self.front_width)),
                word(row.state_name),
                self._due_text(row),
                str(row.reps),
                str(row.lapses),
                _flag_letters(row),
                key=row.id,
            )
        if keep and keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif message.rows:  # the card left the results: stay at the same place
            table.move_cursor(row=0 if message.focus else min(max(old_index, 0), len(message.rows) - 1))
        n = len(message.rows)
        if n >= DEFAULT_LIMIT:
            status.update(_("Showing the first {count} cards (counting…)").format(count=n))
            self.count_matches(message.query)
        else:
            if message.query:
                line = ngettext("{count} card matches {query}", "{count} cards match {query}", n)
            else:
                line = ngettext("{count} card", "{count} cards", n)
            status.update(plain(line.format(count=n, query=message.query)))
        if message.rows:
            self.load_info(self._current_id())
        else:
            self._show_info(None)
        if message.focus:
            table.focus()

    @on(CountDone)
    def show_count(self, message: CountDone) -> None:
        if message.query == self.search_query:
            self.query_one("#browse-status", Static).update(
                _("Showing the first {count} of {total} cards (narrow the search to see the rest)").format(
                    count=len(self.rows), total=f"{message.total:,}"
                )
            )

    def _due_text(self, row: BrowseRow) -> str:
        """The due date in local time; the hour for a card in learning due today."""
        if row.due is None:
            return ""
        tz = self.service.tz
        local = row.due.astimezone(tz)
        if row.state in (MemoryState.LEARNING, MemoryState.RELEARNING):
            if local.date() == self.service.clock().astimezone(tz).date():
                return local.strftime("%H:%M")
        return local.strftime("%Y-%m-%d")

    # -- the highlighted card ----------------------------------------------------

    @on(DataTable.RowHighlighted, "#browse-results")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self.load_info(str(event.row_key.value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-info", description=N_("loading the card"))
    def load_info(self, card_id: str) -> None:
        info = self.service.card_info(card_id)
        if not get_current_worker().is_cancelled:
            self.post_message(InfoLoaded(card_id, info))

    @on(InfoLoaded)
    def info_loaded(self, message: InfoLoaded) -> None:
        if message.card_id != self._current_id():
            return  # the cursor has moved on
        self._show_info(message.info)

    def _show_info(self, info: CardInfo | None) -> None:
        self.info = info
        card_pane = self.query_one("#browse-card", Static)
        history = self.query_one("#browse-history", DataTable)
        history.clear()
        self.query_one("#browse-review", Static).update("")
        if info is None:
            card_pane.update("")
            return
        card, row = info.card, info.row
        text = Text()
        text.append(_("Front side") + "\n", style="bold underline")
        text.append_text(card_text(card.front))
        text.append("\n\n" + _("Back side") + "\n", style="bold underline")
        text.append_text(card_text(card.back))
        text.append("\n\n")
        text.append_text(plain(f"{card.deck} · {card.kind} · {word(row.state_name)}", style="dim"))
        if row.flags:
            text.append(f" · {_flag_words(row)}", style="dim")
        if card.tags:
            text.append_text(plain("\n" + _("tags: {tags}").format(tags=" ".join(card.tags)), style="dim"))
        owner = _("built-in (read-only text)") if row.builtin else _("your card")
        text.append_text(plain(f"\n{card.id} · {row.source} · {owner}", style="dim"))
        card_pane.update(text)
        for review in info.history:
            history.add_row(
                self._local(review.reviewed_at),
                rating_label(review.rating),
                f"{_days(review.interval_before_days)} -> {_days(review.interval_after_days)}",
                plain(short(review.asked, 28)),
                plain(short(review.answered, 14)),
                plain(short(review.correct_answer, 14)),
                key=str(review.id),
            )
        if not info.history:
            self.query_one("#browse-review", Static).update(Text(_("No reviews yet."), style="dim"))

    @on(DataTable.RowHighlighted, "#browse-history")
    def review_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted review in full: what was asked, answered, expected."""
        if self.info is None or event.row_key is None:
            return
        review = next((r for r in self.info.history if str(r.id) == event.row_key.value), None)
        if review is not None:
            self.query_one("#browse-review", Static).update(_review_text(review))

    def _local(self, moment: datetime) -> str:
        """``moment`` in the learner's time zone (None: this machine's)."""
        return moment.astimezone(self.service.tz).strftime("%Y-%m-%d %H:%M")

    def _current_id(self) -> str | None:
        table = self.query_one("#browse-results", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _current(self) -> BrowseRow | None:
        card_id = self._current_id()
        row = self.rows.get(card_id) if card_id else None
        if row is None:
            self.notify(_("No card selected."), severity="warning", timeout=3)
        return row

    # -- actions -------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#browse-query", Input).focus()

    def action_leave(self) -> None:
        self.dismiss()

    def action_toggle_suspend(self) -> None:
        if row := self._current():
            self.run_card_action("suspend", row.id)

    def action_toggle_bury(self) -> None:
        if row := self._current():
            self.run_card_action("bury", row.id)

    def action_reset(self) -> None:
        row = self._current()
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_card_action("reset", row.id)

        self.app.push_screen(ConfirmScreen(_("Reset this card to new?")), confirmed)

    def action_edit(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.builtin:
            self.notify(_(BUILTIN_NOTICES["edited"]), severity="warning", timeout=6)
            return
        self.open_editor(row.id)

    def action_change_deck(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.builtin:
            self.notify(_(BUILTIN_NOTICES["moved"]), severity="warning", timeout=6)
            return
        self.open_deck_dialog(row.id, row.deck)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-dialog", description=N_("opening the card"))
    def open_editor(self, card_id: str) -> None:
        self.post_message(EditorReady(self.service.card(card_id)))

    @on(EditorReady)
    def editor_ready(self, message: EditorReady) -> None:
        card_id = message.card.id

        def saved(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.run_card_action("edit", card_id, *result)

        self.app.push_screen(EditCardScreen(message.card), saved)

    @work(thread=True, exclusive=True, exit_on_error=False, group="browse-dialog", description=N_("listing the decks"))
    def open_deck_dialog(self, card_id: str, current: str) -> None:
        self.post_message(DecksReady(card_id, current, self.service.deck_names()))

    @on(DecksReady)
    def decks_ready(self, message: DecksReady) -> None:
        def chosen(name: str | None) -> None:
            if name is not None and name != message.current:
                self.run_card_action("move", message.card_id, name)

        self.app.push_screen(DeckScreen(message.current, message.names), chosen)

    @work(thread=True, exit_on_error=False, group="browse-action", description=N_("changing the card"))
    def run_card_action(self, action: str, card_id: str, *args: str) -> None:
        service = self.service
        if action == "suspend":
            notice = _("Suspended.") if service.toggle_suspend(card_id) else _("Unsuspended.")
        elif action == "bury":
            notice = _("Buried until tomorrow.") if service.toggle_bury(card_id) else _("Unburied.")
        elif action == "reset":
            service.reset_card(card_id)
            notice = _("Reset: the card is new again (its history stays).")
        elif action == "edit":
            service.edit_card(card_id, *args)
            notice = _("Saved. The card keeps its schedule.")
        elif action == "move":
            notice = _("Moved to {deck}.").format(deck=service.move_card(card_id, *args))
        else:  # pragma: no cover - the bindings name every action
            raise ValueError(f"unknown action {action!r}")
        self.post_message(ActionDone(card_id, notice))

    @on(ActionDone)
    def action_done(self, message: ActionDone) -> None:
        self.notify(visible(message.notice), timeout=3, markup=False)
        self.run_search(self.search_query, keep=message.card_id)


def deck_cell(name: str, width: int) -> str:
    """A deck's name in ``width`` characters. The top deck stays whole when
    it can, since it tells "PyTorch (EN)" from "PyTorch (ES)", then the
    subdeck's own name from its start: "PyTorch (ES)›Tens…"."""
    if len(name) <= width:
        return name
    parts = name.split("::")
    top, leaf = parts[0], parts[-1]
    room = width - len(top) - 1
    if len(parts) > 1 and room >= 4:
        return top + "›" + (leaf if len(leaf) <= room else leaf[: room - 1] + "…")
    return name[: width - 1] + "…"


def _days(value: float) -> str:
    """An interval in days, short: 0, 0.007, 1.5, 12."""
    if value == 0:
        return "0"
    if value < 1:
        return f"{value:.3f}".rstrip("0")
    return f"{value:.1f}".removesuffix(".0")


def _flags(row: BrowseRow) -> list[str]:
    return [w for w, on_ in (("suspended", row.suspended), ("leech", row.leech), ("buried", row.buried)) if on_]


def _flag_words(row: BrowseRow) -> str:
    return ", ".join(word(w) for w in _flags(row))


def _flag_letters(row: BrowseRow) -> str:
    return " ".join(_(FLAG_LETTERS[w]) for w in _flags(row))


def _review_text(review: HistoryRow) -> Text:
    text = Text()
    text.append(rating_label(review.rating), style="bold")
    text.append(
        " · "
        + _("interval {before} -> {after} days").format(
            before=_days(review.interval_before_days), after=_days(review.interval_after_days)
        )
    )
    if review.duration_ms:
        text.append(f" · {review.duration_ms / 1000:.1f} s")
    if review.family:
        text.append_text(plain(" · " + _("{family}, seed {seed}").format(family=review.family, seed=review.seed)))
    if review.asked:
        text.append("\n" + _("Asked:") + "\n", style="bold")
        text.append_text(plain(review.asked))
    if review.answered or review.correct_answer:
        text.append("\n" + _("Answered:") + " ", style="bold")
        text.append_text(plain(review.answered or _("(nothing)")))
        text.append("\n" + _("Right answer:") + " ", style="bold")
        text.append_text(plain(review.correct_answer))
    if review.mistake:
        text.append_text(plain("\n" + _("Mistake: {mistake}").format(mistake=review.mistake)))
    return text
