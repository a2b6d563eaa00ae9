"""Use case: import. Read deck files of any supported format, check them,
and sync them in one transaction: all or nothing.

Formats, by file name: ``.toml`` (quizapp's own), ``.md``/``.markdown``
(Obsidian Spaced Repetition syntax; a folder is read as a vault),
``.csv``/``.tsv`` (Anki text files), ``.txt`` (a Markdown note or an Anki
text file, told apart by their content: importers/sniff.py; ``fmt`` chooses
for any file), ``.apkg``/``.colpkg`` (Anki packages). Code cards are validated, then run in the kernel, once per
combination of their parameters, to settle what they ask; a block that fails
for a reason unrelated to what it teaches (a NameError from a typo), whose
value is too large to show or does not fit its declared answer kind is
reported and skipped. The kernel time of one import is bounded
(:data:`KERNEL_BUDGET_S`): past it the import fails, naming the card where
it ran out, and writes nothing.

A long import can be stopped: ``cancelled()``, when given, is asked between
files, between code cards and every few hundred cards saved; once it says
True, ImportCancelled is raised and nothing is written (the save's one
transaction rolls back).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.domain import CardKind
from quizapp.i18n import _
from quizapp.importers.base import DeckError, ParsedCard, ParsedDeck, Problem
from quizapp.kernel.protocol import REPLY_TOO_LARGE
from quizapp.kernel.validator import UnsafeSnippet, validate
from quizapp.questions.base import canonical
from quizapp.questions.code_card import (
    MAX_COMBINATIONS,
    SHAPE_OR_DTYPE,
    combinations,
    count_combinations,
    is_nondeterministic,
    prints,
    substitute,
)
from quizapp.service.context import Context, KernelLike
from quizapp.service.decks import SyncReport, sync_decks

if TYPE_CHECKING:
    from quizapp.kernel.client import Result

MARKDOWN = (".md", ".markdown")
ANKI_TEXT = (".csv", ".tsv", ".txt")
ANKI_PACKAGE = (".apkg", ".colpkg")
SUFFIXES = (".toml", *MARKDOWN, *ANKI_TEXT, *ANKI_PACKAGE)

#: Errors that say the block is broken, not what it teaches.
UNRELATED_ERRORS = frozenset(
    {
        "NameError",
        "UnboundLocalError",
        "ImportError",
        "ModuleNotFoundError",
        "SyntaxError",
        "Timeout",
        "KernelDied",
        "NotRun",
    }
)
KERNEL_BUDGET_S = 60.0
"""Seconds of kernel time one import may spend on its code cards, all files
together: from a ready kernel on, restarts after timeouts included."""
SNIPPET_TIMEOUT_S = 5.0
"""Seconds each code card's snippet may run at import."""


class _Budget:
    """The kernel time left to an import, in seconds (monotonic clock)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.deadline = clock() + seconds

    def left(self) -> float:
        return self.deadline - self.clock()


class _OutOfBudget(Exception):
    """The import's kernel time ran out while settling a card."""


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    reviews: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def skip(self, problem: Problem) -> None:
        """A card left out of the import, and why (a warning)."""
        self.skipped += 1
        self.warnings.append(problem)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": [p.to_json() for p in self.errors],
            "warnings": [p.to_json() for p in self.warnings],
            "reviews": self.reviews,
            "files": self.files,
            "dry_run": self.dry_run,
        }


#: What ``--format`` may choose for text files (``import --format``).
TEXT_FORMATS = ("markdown", "anki-text")


def expand(paths: list[Path], fmt: str | None = None) -> tuple[list[tuple[Path, Path | None]], list[Problem]]:
    """Files to read, each with its vault root (for folders of notes); with
    ``fmt`` a file of any name is read in that format."""
    files: list[tuple[Path, Path | None]] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            notes = sorted(p for p in path.rglob("*") if p.suffix.lower() in MARKDOWN and p.is_file())
            if not notes:
                problems.append(Problem(str(path), None, "no Markdown notes in this folder"))
            files.extend((note, path) for note in notes)
        elif not path.exists():
            problems.append(Problem(str(path), None, "no such file"))
        elif fmt is None and path.suffix.lower() not in SUFFIXES:
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"unknown format {path.suffix or '(none)'!r}; expected one of {', '.join(SUFFIXES)}",
                )
            )
        else:
            files.append((path, None))
    return files, problems


def read_deck_file(
    path: Path, *, deck: str | None = None, root: Path | None = None, fmt: str | None = None
) -> ParsedDeck:
    """Read one file with the reader ``fmt`` (one of TEXT_FORMATS) or its name
    asks for; a ``.txt`` is a Markdown note or Anki text by its content."""
    suffix = path.suffix.lower()
    if fmt is None and suffix == ".txt":
        fmt = _sniff(path)
    if fmt == "markdown":
        from quizapp.importers.markdown import read_markdown

        return read_markdown(path, deck=deck, root=root)
    if fmt == "anki-text":
        from quizapp.importers.anki_text import read_anki_text

        return read_anki_text(path, deck=deck)
    if suffix == ".toml":
        from quizapp.importers.toml_deck import read_toml_deck

        return read_toml_deck(path, deck=deck)
    if suffix in MARKDOWN:
        from quizapp.importers.markdown import read_markdown

        return read_markdown(path, deck=deck, root=root)
    if suffix in ANKI_TEXT:
        from quizapp.importers.anki_text import read_anki_text

        return read_anki_text(path, deck=deck)
    from quizapp.importers.apkg import read_apkg

    return read_apkg(path, deck=deck)


def _sniff(path: Path) -> str:
    """The format of a ``.txt`` by its first 64 KB (importers/sniff.py); unclear is an error."""
    from quizapp.importers.sniff import SNIFF_CHARS, guess_text_format

    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_CHARS).decode("utf-8", errors="replace")
    except OSError as exc:
        raise DeckError([Problem(str(path), None, f"cannot read file: {exc.strerror or exc}")]) from exc
    guess = guess_text_format(head.removeprefix("\ufeff"))
    if guess is None:
        message = (
            "cannot tell whether this is a Markdown note or an Anki text export; "
            "choose with --format markdown or --format anki-text (or name it .md or .csv)"
        )
        raise DeckError([Problem(str(path), None, message)])
    return guess.value


class ImportCancelled(Exception):
    """The import was cancelled (``cancelled()`` said so): nothing was written."""

    def __init__(self) -> None:
        super().__init__("Import cancelled; nothing was written")


def import_paths(
    ctx: Context,
    paths: list[Path],
    *,
    deck: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[float, str], None] | None = None,
    kernel_budget_s: float = KERNEL_BUDGET_S,
    cancelled: Callable[[], bool] | None = None,
    fmt: str | None = None,
) -> ImportReport:
    """Import ``paths`` for the learner; nothing is written when any file has
    an error (or with ``dry_run``). ``skip_invalid`` imports the rest of a
    deck whose code cards the validator refuses, reporting them. Code cards
    run in the context's kernel; without one they are refused.
    ``progress(fraction, what)`` is called as files are read and cards saved.
    ``kernel_budget_s``: seconds of kernel time for all the code cards.
    Raises ImportCancelled, having written nothing, once ``cancelled()`` is True.
    ``fmt`` (one of TEXT_FORMATS) reads every file in that format, whatever its name."""

    def check() -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled

    report = ImportReport(dry_run=dry_run)
    if fmt is not None and fmt not in TEXT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(TEXT_FORMATS)}")
    files, report.errors = expand(paths, fmt)
    families = _Families()
    decks: list[ParsedDeck] = []
    for index, (path, root) in enumerate(files):
        check()
        if progress:
            progress(0.5 * index / max(len(files), 1), _("reading {name}").format(name=path.name))
        try:
            parsed = read_deck_file(path, deck=deck, root=root, fmt=fmt)
        except DeckError as exc:
            report.errors.extend(exc.problems)
            continue
        except Exception as exc:  # a reader bug must not lose the others' messages
            report.errors.append(Problem(str(path), None, f"cannot read: {type(exc).__name__}: {exc}"))
            continue
        report.files.append(str(path))
        report.warnings.extend(parsed.warnings)
        decks.append(_check_cards(parsed, report, skip_invalid=skip_invalid, families=families))
    if report.errors:
        return report
    if any(c.kind == CardKind.CODE for d in decks for c in d.cards):
        if ctx.kernel is not None:
            ctx.kernel.wait_ready()  # torch's start-up is not the cards' time
        budget = _Budget(kernel_budget_s)
        decks = [_prepare_code_cards(d, report, ctx.kernel, budget, check, skip_invalid=skip_invalid) for d in decks]
        if report.errors:
            return report
    check()

    def saving(done: int, total: int) -> None:
        check()  # raised inside the save's transaction: it rolls back
        if progress:
            progress(0.5 + 0.5 * done / max(total, 1), _("saving {done}/{total} cards").format(done=done, total=total))

    sync: list[SyncReport] = sync_decks(ctx, decks, dry_run=dry_run, progress=saving)
    for r in sync:
        report.added += r.added
        report.updated += r.updated
        report.unchanged += r.unchanged
        report.reviews += r.reviews
    return report


class _Families:
    """The question families' names, found (by importing their modules) once
    per import and only if a card asks for one: a vault is thousands of files."""

    def __init__(self) -> None:
        self._names: Collection[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._names is None:
            from quizapp.questions import all_families

            self._names = set(all_families())
        return name in self._names


def _check_cards(parsed: ParsedDeck, report: ImportReport, *, skip_invalid: bool, families: _Families) -> ParsedDeck:
    """Refuse unknown families (not in ``families``) and snippets the validator
    rejects; skip, with a warning, snippets that only use an undefined name
    (a typo: NameError)."""
    kept: list[ParsedCard] = []
    for card in parsed.cards:
        problem, typo = None, None
        if card.kind == CardKind.GENERATED and card.data.get("family") not in families:
            problem = f"unknown question family {card.data.get('family')!r}"
        elif card.kind == CardKind.CODE:
            problem, typo = _validation_problem(card)
        if problem is None:
            kept.append(card)
            continue
        where = (str(parsed.path), card.line)
        label = f"card {card.id.split(':', 1)[-1]!r}"
        if typo:
            report.skip(Problem(*where, f"{label}: skipped: NameError: name {typo!r} is not defined"))
        elif skip_invalid:
            report.skip(Problem(*where, f"{label}: {problem} (skipped)"))
        else:
            report.errors.append(Problem(*where, f"{label}: {problem}"))
    if len(kept) == len(parsed.cards):
        return parsed  # (replace() would check every card's size again)
    return replace(parsed, cards=kept)


#: How the validator words a name the snippet never defines.
_UNDEFINED = "unknown or disallowed name: "


def _validation_problem(card: ParsedCard) -> tuple[str | None, str | None]:
    """(why the validator refuses the snippet, the undefined name if that is all)."""
    code, params = card.data["code"], card.data.get("params") or {}
    count = count_combinations(params)
    if count > MAX_COMBINATIONS:
        return f"{count} combinations of params; at most {MAX_COMBINATIONS} (each one is run at import)", None
    for values in combinations(params) if params else [{}]:
        try:
            validate(substitute(code, values))
        except UnsafeSnippet as exc:
            typo = exc.reason[len(_UNDEFINED) :] if exc.reason.startswith(_UNDEFINED) else None
            return f"snippet refused: line {exc.line} of the snippet: {exc.reason}", typo
    return None, None


def _prepare_code_cards(
    parsed: ParsedDeck,
    report: ImportReport,
    kernel: KernelLike | None,
    budget: _Budget,
    check: Callable[[], None] = lambda: None,
    *,
    skip_invalid: bool,
) -> ParsedDeck:
    """Run each code card: settle its answer kind, skip broken blocks
    (``check()`` before each: it raises to stop). When the budget runs out,
    an error names the card (and nothing is written)."""
    kept = []
    for card in parsed.cards:
        check()
        if card.kind != CardKind.CODE:
            kept.append(card)
            continue
        where = (str(parsed.path), card.line)
        if kernel is None:
            report.errors.append(Problem(*where, "code cards need the torch kernel, which is off"))
            continue
        try:
            prepared, why = _prepare(card, kernel, budget)
        except _OutOfBudget:
            report.errors.append(
                Problem(
                    *where,
                    f"card {card.id.split(':', 1)[-1]!r}: the import ran out of kernel time "
                    f"({budget.seconds:g} s for all its code cards); import fewer code cards at a time",
                )
            )
            return replace(parsed, cards=kept)
        if prepared is not None:
            kept.append(prepared)
        elif why.startswith("snippet refused") and not skip_invalid:
            report.errors.append(Problem(*where, f"card {card.id.split(':', 1)[-1]!r}: {why}"))
        else:
            report.skip(Problem(*where, f"skipped: {why}"))
    return replace(parsed, cards=kept)


def _run(code: str, kernel: KernelLike, budget: _Budget) -> Result:
    """Run one snippet within what is left of the budget."""
    left = budget.left()
    if left <= 0:
        raise _OutOfBudget()
    timeout = min(SNIPPET_TIMEOUT_S, left)
    reply = kernel.run_many([code], timeout=timeout)[0]
    if timeout < SNIPPET_TIMEOUT_S and reply.error_type == "Timeout":
        raise _OutOfBudget()
    return reply


def _prepare(card: ParsedCard, kernel: KernelLike, budget: _Budget) -> tuple[ParsedCard | None, str]:
    data = dict(card.data)
    code, kind, params = data["code"], data.get("answer_kind", "auto"), data.get("params") or {}
    if kind == "auto":
        if is_nondeterministic(code):
            final = last_value_form(code)
            if final is None:
                return None, "its output is not deterministic and it has no final value to ask about"
            code, kind = final, "shape_or_dtype"
        elif prints(code):
            kind = "output"
    combos = combinations(params) if params else [{}]
    replies = []
    for values in combos:
        reply = _run(substitute(code, values), kernel, budget)
        why = _broken(reply)
        if why:
            return None, why + _for(values)
        replies.append(reply)
    if kind == "auto":
        kind = _kind_of(replies[0])
    for values, reply in zip(combos, replies):
        misfit = _misfit(reply, kind)
        if misfit:
            return None, f"answer = {kind!r} does not fit its value{_for(values)}: {misfit}"
    data.update(code=code, answer_kind=kind)
    return replace(card, data=data), ""


def _broken(reply: Result) -> str:
    """Why the reply says the block is broken ("" when it is an answer)."""
    if reply.ok:
        return ""
    if reply.error_type == REPLY_TOO_LARGE:
        return str(reply.error_message)  # "the value is too large to show (...)"
    if reply.error_type == "UnsafeSnippet":
        return f"snippet refused: {reply.error_message}"  # "line N: why"
    if reply.error_type in UNRELATED_ERRORS:
        return f"{reply.error_type}: {reply.error_message}"
    return ""


def _misfit(reply: Result, kind: str) -> str:
    """Why ``reply`` cannot be read as an answer of ``kind`` ("" if it can)."""
    if kind == SHAPE_OR_DTYPE:  # asked about the value's shape or dtype, computed at review
        return ""
    try:
        canonical(reply, kind)
    except Exception as exc:  # what review would meet: int('abc'), int(inf)...
        return f"{type(exc).__name__}: {exc}"
    return ""


def _for(values: dict[str, object]) -> str:
    """ " (for n=3, k='a')" for a combination of params; "" without params."""
    return f" (for {', '.join(f'{k}={v!r}' for k, v in values.items())})" if values else ""


#: Answer kind for each type of encoded value (see kernel/encoding.py).
_KIND_OF_VALUE = {"size": "shape", "dtype": "dtype", "bool": "bool", "int": "int", "float": "float"}


def _kind_of(reply: Result) -> str:
    """What to ask about a snippet, from the value its last expression gave."""
    if not reply.ok:
        return "error"
    value = reply.value or {}
    encoded = value.get("type", "")
    if encoded == "tensor":
        # Small tensors: their values; large ones: their shape.
        return "values" if value.get("values") is not None else "shape"
    return _KIND_OF_VALUE.get(encoded, "text")


def last_value_form(code: str) -> str | None:
    """The snippet ending in the value its last print() showed (or its last
    expression), so shape and dtype can be asked about it."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    last = tree.body[-1]
    value = last.value
    if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "print":
        if len(value.args) != 1:
            return None
        value = value.args[0]
    lines = code.splitlines()
    head = "\n".join(lines[: last.lineno - 1]).rstrip()
    expression = ast.get_source_segment(code, value)
    return f"{head}\n{expression}" if head else expression
