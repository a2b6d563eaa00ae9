"""The command line: parse arguments into Settings, then open the TUI or run a
command. Heavy modules (textual, sqlmodel) are imported inside the function
that needs them, so `quizapp --help` and errors are instant."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

from quizapp import __version__
from quizapp.i18n import N_, _, current_language, language_from_locale, ngettext, set_language
from quizapp.text import visible


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        if add_help:  # argparse's own -h, with its help in the interface language
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=_("show this help message and exit")
            )

    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage dump
        raise CliError(
            _("{prog}: {message} (see {command} --help)").format(
                prog=self.prog, message=message, command=self.prog.split()[0]
            )
        )


def _global_options(*, for_help: bool) -> _Parser:
    # A _Parser like the subcommands' (typeshed wants their parents of the same class).
    common = _Parser(add_help=False)
    if for_help:  # platformdirs costs `quizapp due` time: found only for --help
        from quizapp.locations import data_dir

        default_db = str(data_dir() / "quizapp.sqlite3")
    else:
        default_db = _("the user-data folder's quizapp.sqlite3")
    common.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help=_("database file or SQLAlchemy URL (env QUIZAPP_DB; default: {path})").format(path=default_db),
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=_("whose schedule to use (env QUIZAPP_USER; default: login name)"),
    )
    return common


def build_parser(*, for_help: bool = True) -> argparse.ArgumentParser:
    """The command line's parser (``for_help``: its help names the default
    database file, which costs a look-up of the user-data folder)."""
    common = _global_options(for_help=for_help)
    parser = _Parser(
        prog="quizapp", parents=[common], description=_("Spaced-repetition review of PyTorch fundamentals.")
    )
    parser.add_argument(
        "--version", action="version", version=f"quizapp {__version__}", help=_("show the version and exit")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("review", parents=[common], help=_("open the TUI straight in a review"))
    p.add_argument("--deck", metavar="NAME", help=_("review this deck (and its subdecks)"))
    p.add_argument("--limit", type=_positive_int, metavar="N", help=_("end the session after N cards"))
    p.add_argument("--minutes", type=_positive_float, metavar="M", help=_("end the session after M minutes"))

    p = sub.add_parser("due", parents=[common], help=_("one line: what is due and new now, per deck (fast)"))

    p = sub.add_parser(
        "settings",
        parents=[common],
        help=_("show or set your study settings and deck option presets"),
        description=_(
            "Show or set your study settings. Desired retention, daily limits and steps belong to a "
            'deck option preset: every deck uses the "Default" preset unless assigned another, and a parent '
            "deck's limits also cap its subdecks. Without --preset or --deck, the Default preset is shown "
            "and set. The day start hour is yours, for every deck."
        ),
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument(
        "--preset",
        metavar="NAME",
        help=_(
            "show or set this preset (made, with Anki's defaults, if you have none so called); "
            "with --deck: assign it to the deck(s)"
        ),
    )
    p.add_argument(
        "--deck",
        metavar="DECK",
        action="append",
        help=_("show or set the preset this deck uses; with --preset: assign that preset (repeatable)"),
    )
    p.add_argument("--presets", action="store_true", help=_("list your presets and the decks using each"))
    p.add_argument("--rename", metavar="NEW", help=_("rename the preset given by --preset"))
    p.add_argument("--delete-preset", metavar="NAME", help=_("delete a preset; its decks go back to Default"))
    p.add_argument("--desired-retention", metavar="X", help=_("probability of recall to aim for (0.70-0.99)"))
    p.add_argument("--new-per-day", metavar="N", help=_("new cards per day, in each deck using the preset"))
    p.add_argument("--reviews-per-day", metavar="N", help=_("reviews per day, in each deck using the preset"))
    p.add_argument("--learning-steps", metavar="STEPS", help=_('learning steps, e.g. "1m 10m"'))
    p.add_argument("--relearning-steps", metavar="STEPS", help=_('relearning steps, e.g. "10m"'))
    p.add_argument("--day-start-hour", metavar="H", help=_("local hour a study day starts (0-23)"))
    p.add_argument(
        "--language",
        choices=("es", "en", "auto"),
        help=_("interface language (auto: from the locale, LANG or QUIZAPP_LANGUAGE)"),
    )
    p.add_argument(
        "--other-language-deck",
        choices=("on", "off"),
        help=_("also show and study the built-in deck in the other language (default off)"),
    )
    for name, what in (("new", "new"), ("review", "review"), ("interday-learning", "interday learning")):
        p.add_argument(
            f"--bury-{name}-siblings",
            metavar="on|off",
            help=f"after an answer, hide the card's {what} siblings until tomorrow",
        )

    p = sub.add_parser("optimize", parents=[common], help=_("fit your own FSRS parameters to your review history"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument(
        "--reschedule",
        action="store_true",
        help=_("if new parameters are adopted, recompute the due dates of your cards with them"),
    )
    p.add_argument("--revert", action="store_true", help=_("return to the parameters in use before"))
    p.add_argument(
        "--time-series",
        action="store_true",
        help=_("also evaluate your whole history with time-series splits, as Anki's Evaluate (slower)"),
    )

    p = sub.add_parser(
        "simulate", parents=[common], help=_("predict reviews and minutes per day at a desired retention")
    )
    p.add_argument("--retention", metavar="R", help=_("desired retention to simulate (default: yours)"))
    p.add_argument("--days", metavar="N", default="365", help=_("days to simulate (default 365)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("decks", parents=[common], help=_("list decks with today's counts"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("cards", parents=[common], help=_("list cards"))
    p.add_argument("--deck", metavar="NAME", help=_("only this deck (and its subdecks)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("import", parents=[common], help=_("import decks: .toml, .md (or a folder), .csv/.tsv, .apkg"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("files or folders of notes"))
    p.add_argument(
        "--deck",
        metavar="NAME",
        help=_(
            "deck for the cards: replaces the top-level deck of TOML decks and Anki packages; "
            "the deck of Markdown and Anki text files that name none"
        ),
    )
    p.add_argument("--dry-run", action="store_true", help=_("say what would change; write nothing"))
    p.add_argument(
        "--format",
        choices=("markdown", "anki-text"),
        help="read the files as Markdown notes or Anki text, whatever their names "
        "(a .txt is otherwise told by its content)",
    )
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("import the rest of a deck whose code snippets are refused (they are reported)"),
    )
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("export", parents=[common], help=_("export cards to an Anki package, Anki text or TOML"))
    p.add_argument("--deck", metavar="NAME", help=_("only this deck (and its subdecks)"))
    p.add_argument("--format", required=True, choices=("apkg", "csv", "toml"), help=_("file format"))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=_("file to write"))
    p.add_argument(
        "--no-scheduling",
        dest="scheduling",
        action="store_false",
        help=_("apkg: leave out the learner's card states and review log (--user chooses whose)"),
    )

    p = sub.add_parser("ask", parents=[common], help=_("print generated code-prediction questions"))
    p.add_argument("families", nargs="*", metavar="FAMILY", help=_("families to ask (default: all)"))
    p.add_argument("--seed", type=int, help=_("first seed (default: random); seeds N, N+1, ..."))
    p.add_argument(
        "--count", type=int, default=1, metavar="K", help=_("questions per family (default 1, so K times the families)")
    )
    p.add_argument(
        "--lang",
        choices=("es", "en"),
        help=_("language of prompts (default: the interface language, now {lang})").format(lang=current_language()),
    )
    p.add_argument("--list", action="store_true", help=_("list the families"))
    p.add_argument("--json", action="store_true", help=_("print JSON (one object per line)"))

    p = sub.add_parser("stats", parents=[common], help=_("today's statistics"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("backup", parents=[common], help=_("back up the database now (or --list the backups)"))
    p.add_argument("--list", action="store_true", help=_("print the backup folder and the backups, newest first"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))

    p = sub.add_parser("restore", parents=[common], help=_("replace the database with a backup (backing it up first)"))
    p.add_argument("file", metavar="FILE", help=_("a backup (see quizapp backup --list)"))
    return parser


#: Lines for stderr once the command is done (after its own output and
#: errors, and after the TUI has left the screen): a new database was made.
_notices: list[str] = []


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        if code == 0:
            for service in _writers:
                _backup_on_close(service)
        return code
    finally:
        _writers.clear()
        for line in _notices:
            print(line, file=sys.stderr)
        _notices.clear()


def _run(argv: Sequence[str] | None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except CliError as exc:
        print(visible(str(exc)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `quizapp cards | head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        message = _storage_error(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1


def _storage_error(exc: BaseException) -> str | None:
    """One line for a disk that is full or read-only (an OSError, or SQLite's
    OperationalError, possibly wrapped by SQLAlchemy); None for other errors.
    A write is one transaction, so what failed left nothing behind."""
    import sqlite3

    seen: BaseException | None = exc
    while seen is not None:
        # OperationalError: full, read-only, locked; a bare DatabaseError: not a
        # database. Not its other subclasses (IntegrityError is a bug: a traceback).
        if isinstance(seen, sqlite3.OperationalError) or type(seen) is sqlite3.DatabaseError:
            return _("quizapp: the database can't be written: {error}; nothing of this command was saved").format(
                error=seen
            )
        if isinstance(seen, OSError):
            where = f"{seen.filename}: " if seen.filename else ""
            return f"quizapp: {where}{seen.strerror or seen}"
        seen = seen.__cause__ or seen.__context__
    return None


def _main(argv: list[str]) -> int:
    from quizapp.settings import Settings, default_user

    set_language(language_from_locale())  # the learner's own setting applies once the database is open
    args = build_parser(for_help="-h" in argv or "--help" in argv).parse_args(argv)
    db = getattr(args, "db", None)
    url = _database_url(db)
    from quizapp.settings import default_backup_keep

    try:
        keep = default_backup_keep()
    except ValueError as exc:
        raise CliError(f"quizapp: {exc}") from exc
    settings = Settings(
        backup_keep=keep,
        database_url=url,
        user=getattr(args, "user", None) or default_user(),
        review_deck=getattr(args, "deck", None) if args.command == "review" else None,
        start_in_review=args.command == "review",
        review_limit=getattr(args, "limit", None) if args.command == "review" else None,
        review_minutes=getattr(args, "minutes", None) if args.command == "review" else None,
    )
    if args.command in (None, "review"):
        return _run_tui(settings)
    if args.command == "due":
        return _due(settings)
    if args.command == "settings":
        return _settings(args, settings)
    if args.command == "optimize":
        return _optimize(args, settings)
    if args.command == "simulate":
        return _simulate(args, settings)
    if args.command == "ask":
        return _ask(args)
    if args.command == "import":
        return _import(args, settings)
    if args.command == "export":
        return _export(args, settings)
    if args.command in ("backup", "restore"):
        return _backup(args, settings)
    service = _open_service(settings)
    if args.command == "decks":
        rows = service.deck_counts()
        if args.json:
            _print_json([r.to_json() for r in rows])
        else:
            titles = [_("New"), _("Learn"), _("Due"), _("Total")]
            widths = [max(len(t), 5) for t in titles]
            print(f"{_('Deck'):<40} " + " ".join(f"{t:>{w}}" for t, w in zip(titles, widths)))
            for r in rows:
                name = "  " * r.depth + visible(r.name.split("::")[-1])
                counts = (r.new, r.learning, r.due, r.total)
                print(f"{name:<40} " + " ".join(f"{n:>{w}}" for n, w in zip(counts, widths)))
        return 0
    if args.command == "cards":
        _require_deck(service, args.deck)
        cards = service.cards(args.deck)
        if args.json:
            _print_json([c.to_json() for c in cards])
        else:
            for c in cards:
                print(visible(f"{c.id}\t{c.deck}\t{c.kind}\t{_one_line(c.front)}"))
        return 0
    if args.command == "stats":
        stats = service.stats()
        if args.json:
            _print_json(stats)
        else:
            for key, value in stats.items():
                if not isinstance(value, (dict, list)):  # the blocks: --json, or the TUI's screen
                    print(visible(f"{key.replace('_', ' ')}: {value}"))
            print(_("forecast (today first): {days}").format(days=" ".join(str(n) for n in stats["forecast"])))
        return 0
    raise CliError(f"quizapp: unknown command {args.command!r}")


def _database_url(db: str | None) -> str:
    """The database URL of ``--db`` (else QUIZAPP_DB, else the default
    file, whose folder is created); a bad path or URL is a CliError."""
    from quizapp.locations import database_url, default_database_path, default_database_url

    source = "--db" if db else "QUIZAPP_DB"
    try:
        url = database_url(db) if db else default_database_url()
    except ValueError as exc:
        raise CliError(f"quizapp: {source}: {exc}") from exc
    if not url.startswith("sqlite:///"):  # (a SQLite path needs no SQLAlchemy: `due` stays fast)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(url)
        except ArgumentError as exc:
            raise CliError(
                _("quizapp: {source}: {url!r} is not a valid SQLAlchemy URL").format(source=source, url=url)
            ) from exc
    default = default_database_path()
    if not db and default is not None:
        try:
            default.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(
                _("quizapp: cannot create {folder}: {error}").format(folder=default.parent, error=exc.strerror)
            ) from exc
    return url


def _import(args, settings) -> int:
    """`quizapp import`: all or nothing; every problem as file:line: message."""
    from pathlib import Path

    from quizapp.kernel import Kernel

    kernel = Kernel()  # started only if a code card needs it
    try:
        service = _open_service(settings, kernel=kernel, writes=not args.dry_run)
        report = service.import_paths(
            [Path(p) for p in args.paths],
            deck=args.deck,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
            fmt=args.format,
        )
    finally:
        kernel.close()
    if args.json:
        _print_json(report.to_json())
    else:
        for problem in report.errors:
            print(visible(str(problem)), file=sys.stderr)
        for problem in report.warnings:
            print(visible(_("warning: {problem}").format(problem=problem)), file=sys.stderr)
        if report.ok:
            line = (
                _("would add {added} cards, update {updated}; unchanged {unchanged}, skipped {skipped}")
                if args.dry_run
                else _("added {added} cards, updated {updated}, unchanged {unchanged}, skipped {skipped}")
            ).format(added=report.added, updated=report.updated, unchanged=report.unchanged, skipped=report.skipped)
            if report.reviews:
                line += ngettext(", {count} past review", ", {count} past reviews", report.reviews).format(
                    count=report.reviews
                )
            print(line)
        else:
            count = len(report.errors)
            print(
                ngettext(
                    "quizapp import: {count} problem; nothing was imported",
                    "quizapp import: {count} problems; nothing was imported",
                    count,
                ).format(count=count),
                file=sys.stderr,
            )
    return 0 if report.ok else 1


def _export(args, settings) -> int:
    """`quizapp export`: the file appears whole or not at all."""
    from pathlib import Path

    from quizapp.service import ExportError

    service = _open_service(settings)
    _require_deck(service, args.deck)
    try:
        report = service.export(Path(args.output), args.format, deck=args.deck, scheduling=args.scheduling)
    except ExportError as exc:
        raise CliError(f"quizapp export: {exc}") from exc
    left_out = report.left_out
    line = ngettext("exported {count} card to {path}", "exported {count} cards to {path}", report.written).format(
        count=report.written, path=report.path
    )
    if report.reviews:
        line += ngettext(", with {count} past review", ", with {count} past reviews", report.reviews).format(
            count=report.reviews
        )
    if left_out:
        line += " " + ngettext(
            "({count} generated or code card left out: Anki can't run them)",
            "({count} generated or code cards left out: Anki can't run them)",
            left_out,
        ).format(count=left_out)
    print(visible(line))
    return 0


def _ask(args) -> int:
    """`quizapp ask`: questions answered live by torch (no database needed)."""
    import random

    from quizapp.questions import all_families

    families = all_families()
    if args.lang is None:
        args.lang = current_language()
    if args.list:
        rows = [{"family": n, "title": f.title[args.lang], "answer_kind": f.answer_kind} for n, f in families.items()]
        if args.json:
            _print_json(rows)
        else:
            for row in rows:
                print(f"{row['family']:<16} {row['answer_kind']:<7} {row['title']}")
        return 0
    unknown = [name for name in args.families if name not in families]
    if unknown:
        raise CliError(_("quizapp ask: unknown family {name!r} (see quizapp ask --list)").format(name=unknown[0]))
    if args.count < 1:
        raise CliError(_("quizapp ask: --count must be at least 1"))
    from quizapp.kernel import Kernel
    from quizapp.questions.base import QuestionError
    from quizapp.service.questions import make_question

    first = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    kernel = Kernel()
    kernel.start()
    try:
        for name in args.families or list(families):
            for seed in range(first, first + args.count):
                try:
                    question = make_question(name, seed, kernel, lang=args.lang)
                except QuestionError as exc:
                    print(visible(f"quizapp ask: {exc}"), file=sys.stderr)
                    return 1
                if args.json:
                    print(_json_text(question.to_json()))
                else:
                    _print_question(question)
    finally:
        kernel.close()
    return 0


def _print_question(q) -> None:
    print(visible(f"# {q.family} (seed {q.seed})\n{q.prompt}\n"))
    print(visible("\n".join("    " + line for line in q.code.splitlines())))
    print()
    for letter, choice in zip("abcd", q.choices):
        print(visible(f"  {letter}) {choice}"))
    print(visible(f"\nanswer: {q.answer}\n{q.explanation}\n"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a whole number").format(text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("{text} must be at least 1").format(text=text))
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a number").format(text=text)) from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(_("{text} must be more than 0").format(text=text))
    return value


def _due(settings) -> int:
    """`quizapp due`: one line, fast enough for a shell start-up file (no
    textual, torch or SQLAlchemy; see quizapp/due.py)."""
    from quizapp.due import due_line

    try:
        print(due_line(settings.database_url, settings.user))
    except Exception as exc:  # a shell start-up file must not see a traceback
        raise CliError(f"quizapp due: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc
    return 0


def _settings(args, settings) -> int:
    """`quizapp settings`: show the learner's settings and presets, or
    validate and set some, create, rename, delete or assign presets."""
    from quizapp.domain import DEFAULT_PRESET
    from quizapp.study_settings import (
        EDITABLE,
        PRESET_FIELDS,
        SettingsError,
        StudySettings,
        check_preset_name,
        validate_changes,
    )

    changes = {name: getattr(args, name) for name in EDITABLE if getattr(args, name, None) is not None}
    decks = args.deck or []
    acts = [bool(args.presets), args.delete_preset is not None]
    other = args.other_language_deck
    if (sum(acts) and (changes or decks or args.preset or args.rename or args.language or other)) or sum(acts) > 1:
        raise CliError("quizapp settings: --presets and --delete-preset go alone (with --json)")
    if args.rename is not None and args.preset is None:
        raise CliError("quizapp settings: --rename needs --preset NAME")
    if len(decks) > 1 and args.preset is None:
        raise CliError("quizapp settings: several --deck need --preset NAME (the preset to assign them)")
    writes = bool(changes or (decks and args.preset) or args.rename or args.delete_preset or args.language or other)
    service = _open_service(settings, writes=writes)
    if args.language is not None:
        set_language(service.set_interface_language(None if args.language == "auto" else args.language))
    if other is not None:
        service.set_other_language_deck(other == "on")
    try:
        if args.presets:
            return _print_presets(service.presets(), args.json)
        if args.delete_preset is not None:
            moved = service.delete_preset(args.delete_preset)
            if args.json:
                _print_json({"deleted": args.delete_preset, "decks": moved})
            else:
                back = f"; {', '.join(visible(d) for d in moved)} now use Default" if moved else ""
                print(f"Deleted preset {visible(args.delete_preset)}{back}")
            return 0
        for deck in decks:
            _require_deck(service, deck)
        # Every value, name and deck is checked before anything is written.
        validate_changes(StudySettings(), changes)
        preset_changes = {k: v for k, v in changes.items() if k in PRESET_FIELDS}
        own_changes = {k: v for k, v in changes.items() if k not in PRESET_FIELDS}
        names = {p.name for p in service.presets()}
        name = check_preset_name(args.preset) if args.preset is not None else None
        if args.rename is not None:
            new_name = check_preset_name(args.rename)
            if name == DEFAULT_PRESET:
                raise SettingsError("the Default preset keeps its name")
            if new_name != name and new_name in names:
                raise SettingsError(f"a preset named {new_name!r} already exists")
        created = name is not None and name not in names
        if name is not None and created:
            service.create_preset(name, **preset_changes)
            preset_changes = {}
        if name is not None and decks:
            service.assign_preset(decks, name)
        if name is None:
            name = service.deck_preset(decks[0]).name if decks else DEFAULT_PRESET
        if preset_changes or args.rename is not None:
            name = service.update_preset(name, rename=args.rename, **preset_changes).name
        if own_changes:
            service.update_settings(**own_changes)
        current = service.study_settings()
        preset = service.preset(name)
    except SettingsError as exc:
        raise CliError(f"quizapp settings: {exc}") from exc
    if args.json:
        data = current.to_json()
        data.update(preset.to_json())  # the preset's values (the Default's are current's own)
        data.pop("name")
        data.pop("default")
        data["preset"] = preset.name
        data["preset_decks"] = data.pop("decks")
        data["language"] = current_language()
        data["other_language_deck"] = service.other_language_deck()
        _print_json(data)
        return 0
    print(_("Interface language: {language}").format(language=current_language()))
    _print_settings(current, preset, created)
    shown = _("on") if service.other_language_deck() else _("off")
    print(_("Built-in deck in the other language: {shown}").format(shown=shown))
    return 0


def _print_settings(current, preset, created: bool) -> None:
    from quizapp.study_settings import EDITABLE, LABELS, PRESET_FIELDS, SWITCHES, format_steps, switch_text

    if preset.is_default:
        used = _("every deck not assigned another")
    else:
        decks = ", ".join(visible(d) for d in preset.decks)
        used = _("decks: {decks}").format(decks=decks) if preset.decks else _("no deck yet")
    made = _(" (created)") if created else ""
    print(_("Preset: {name}{made} ({used})").format(name=visible(preset.name), made=made, used=used))
    for name in EDITABLE:
        value = getattr(preset if name in PRESET_FIELDS else current, name)
        shown = format_steps(value) if name.endswith("steps") else switch_text(value) if name in SWITCHES else value
        scope = "" if name in PRESET_FIELDS else _(" (every deck)")
        print(f"{_(LABELS[name])}: {shown if shown != '' else _('(none)')}{scope}")
    kind = _("personal (fitted by quizapp optimize)") if current.personal else _("FSRS defaults")
    print(_("FSRS parameters: {kind}").format(kind=kind))


def _print_presets(presets, as_json: bool) -> int:
    from quizapp.study_settings import format_steps

    if as_json:
        _print_json([p.to_json() for p in presets])
        return 0
    for p in presets:
        decks = "every deck not assigned another" if p.is_default else ", ".join(visible(d) for d in p.decks)
        print(
            f"{visible(p.name)}: {p.new_per_day} new/day, {p.reviews_per_day} reviews/day, "
            f"steps {format_steps(p.learning_steps) or '(none)'} / {format_steps(p.relearning_steps) or '(none)'}, "
            f"retention {p.desired_retention} ({decks or 'no deck'})"
        )
    return 0


def _optimize(args, settings) -> int:
    """`quizapp optimize`: fit, compare, adopt if better; or --revert."""
    from quizapp.optimizing import NotEnoughReviews, OptimizerUnavailable, reviews_needed

    service = _open_service(settings, writes=True)
    if args.revert:
        try:
            current = service.revert_parameters()
        except ValueError as exc:
            raise CliError(f"quizapp optimize: {exc}") from exc
        rescheduled = service.reschedule() if args.reschedule else None
        if args.json:
            _print_json({"reverted": True, "parameters": list(current.parameters), "rescheduled": rescheduled})
        else:
            if rescheduled is None:
                print(_("Returned to the previous FSRS parameters."))
            else:
                print(
                    ngettext(
                        "Returned to the previous FSRS parameters; {count} card rescheduled.",
                        "Returned to the previous FSRS parameters; {count} cards rescheduled.",
                        rescheduled,
                    ).format(count=rescheduled)
                )
        return 0
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        report = service.optimize(progress=bar, reschedule=args.reschedule, time_series=args.time_series)
    except NotEnoughReviews as exc:
        if args.json:
            rows = service.review_rows()
            _print_json(
                {
                    "reviews": len(rows),
                    "log_loss_before": None,
                    "log_loss_after": None,
                    "rmse_before": None,
                    "rmse_after": None,
                    "adopted": False,
                    "reviews_needed": reviews_needed(rows),
                }
            )
        print(f"quizapp optimize: {exc}", file=sys.stderr)
        return 1
    except OptimizerUnavailable as exc:
        print(f"quizapp optimize: {exc}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        _print_json(report.to_json())
        return 0
    _print_optimize_report(report)
    if report.adopted and not args.reschedule:
        question = _("Reschedule your cards with the new parameters? [y/N] ")
        if sys.stdin.isatty() and input(question).strip().lower() in ("y", "yes", _("y"), _("yes")):
            print(_rescheduled(service.reschedule()))
        else:
            print(
                _(
                    "Cards keep their due dates; new reviews use the new parameters "
                    "(`quizapp optimize --reschedule` reschedules them)."
                )
            )
    return 0


def _print_optimize_report(report) -> None:
    before, after = report.before, report.after
    held_out = before.count if before else 0
    print(
        _("Reviews: {reviews} ({train} learnable, from the first 80%, fitted; {held_out} held out to compare)").format(
            reviews=report.reviews, train=report.train_reviews, held_out=held_out
        )
    )
    if before is not None and after is not None:
        print(f"{'':<20}{_('log loss'):>10}{_('RMSE (bins)'):>14}")
        print(f"{_('current parameters'):<20}{before.log_loss:>10.4f}{before.rmse:>13.2%} ")
        print(f"{_('new parameters'):<20}{after.log_loss:>10.4f}{after.rmse:>13.2%} ")
    for note in report.notes:
        print(note)
    if report.adopted:
        print(_("Adopted the new parameters; the old ones are kept (quizapp optimize --revert returns to them)."))
        if report.rescheduled is not None:
            print(_rescheduled(report.rescheduled))
    else:
        print(_("Kept the current parameters: the new ones do not predict your recent reviews better."))
    if report.evaluation is not None:
        print(
            _("Whole history, time-series splits (Anki's Evaluate): log loss {loss}, RMSE (bins) {rmse}").format(
                loss=f"{report.evaluation.log_loss:.4f}", rmse=f"{report.evaluation.rmse:.2%}"
            )
        )
    if report.optimal_retention is not None:
        print(
            _("Optimal retention for your parameters: {retention}").format(retention=f"{report.optimal_retention:.2f}")
        )


def _rescheduled(count: int) -> str:
    return ngettext("{count} card rescheduled.", "{count} cards rescheduled.", count).format(count=count)


def _simulate(args, settings) -> int:
    """`quizapp simulate`: the workload of the next days at a desired retention."""
    retention = _number(args.retention, "--retention", float, 0.5, 0.99) if args.retention is not None else None
    days = _number(args.days, "--days", int, 1, 3650)
    workload = _open_service(settings).simulate(retention=retention, days=days)
    if args.json:
        _print_json(workload.to_json())
        return 0
    reviews, minutes = workload.reviews_per_day, workload.minutes_per_day
    print(
        _("Desired retention {retention} over {days} days:").format(
            retention=f"{workload.retention:.2f}", days=workload.days
        )
    )
    spans = (
        (_("first week"), 7),
        (_("first month"), 30),
        (ngettext("all {count} day", "all {count} days", workload.days).format(count=workload.days), workload.days),
    )
    for label, span in spans:
        n = min(span, len(reviews))
        if n:
            print(
                "  "
                + _("{label} {reviews} reviews/day {minutes} min/day").format(
                    label=f"{label:<16}", reviews=f"{sum(reviews[:n]) / n:7.1f}", minutes=f"{sum(minutes[:n]) / n:7.1f}"
                )
            )
    if workload.memorized:
        print("  " + _("cards remembered at the end: {count}").format(count=f"{workload.memorized[-1]:.0f}"))
    return 0


def _number(text: str, flag: str, kind, low, high):
    """A number in [low, high] given on the command line, or a one-line error."""
    try:
        value = kind(text)
    except ValueError:
        raise CliError(_("quizapp simulate: {flag} {text!r} is not a number").format(flag=flag, text=text)) from None
    if not low <= value <= high:
        raise CliError(
            _("quizapp simulate: {flag} must be between {low} and {high}").format(flag=flag, low=low, high=high)
        )
    return value


class _ProgressBar:
    """A one-line progress bar on stderr: progress(stage, done, total)."""

    STAGES = {"fit": N_("fitting"), "evaluate": N_("comparing")}

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = int(self.width * done / max(total, 1))
        label = _(self.STAGES[stage]) if stage in self.STAGES else stage
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done * 100 // max(total, 1):3d}% {label:<14}"
        )
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * (self.width + 22) + "\r")
            sys.stderr.flush()


def _backup(args, settings) -> int:
    """`quizapp backup [--list]`, `quizapp restore FILE`: see docs/backups.md."""
    from pathlib import Path

    from quizapp.service import BackupError
    from quizapp.store.engine import sqlite_file

    if "://" in settings.database_url and sqlite_file(settings.database_url) is None:
        backend = settings.database_url.split(":", 1)[0].split("+", 1)[0]
        if backend != "sqlite":
            raise CliError(
                f"quizapp {args.command}: a {backend} database is backed up and restored with "
                "the server's own tools (for example pg_dump and pg_restore)"
            )
    service = _open_service(settings)
    try:
        if args.command == "restore":
            safety = service.restore(Path(args.file))
            print(
                _("restored {file}; the database as it was is backed up in {path}").format(
                    file=args.file, path=safety.path
                )
            )
            return 0
        if args.list:
            found = service.backups()
            if args.json:
                _print_json({"folder": str(service.backup_folder()), "backups": [b.to_json() for b in found]})
                return 0
            print(
                _("backups of {url} in {folder} (keeping {keep}):").format(
                    url=settings.database_url, folder=service.backup_folder(), keep=service.backup_keep or _("all")
                )
            )
            for b in found:
                when = b.made_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
                print(f"{when}  {_size(b.size):>9}  {b.path.name}")
            if not found:
                print(_("(none yet)"))
            return 0
        made = service.backup()
    except BackupError as exc:
        raise CliError(f"quizapp {args.command}: {exc}") from exc
    if args.json:
        _print_json(made.to_json())
    else:
        print(_("backed up to {path} ({size})").format(path=made.path, size=_size(made.size)))
    return 0


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} B"


def _backup_on_close(service) -> None:
    """The automatic backup after a command that wrote (one per study day)."""
    from quizapp.service import BackupError

    try:
        service.backup_if_due()
    except (BackupError, OSError) as exc:
        _notices.append(_("quizapp: warning: no backup was made: {error}").format(error=exc))


#: Services opened by commands that write: backed up once they are done.
_writers: list = []


def _open_service(settings, *, kernel=None, fit=None, writes: bool = False):
    """The service, as the TUI opens it (quizapp.service.open_service); a
    database that can't be opened is a one-line error. ``writes``: the
    command changes the database, so it is backed up (once a day) when done."""
    from quizapp.service import OpenError, open_service
    from quizapp.store.engine import sqlite_file

    path = sqlite_file(settings.database_url)
    new = path is not None and not path.exists()
    try:
        service = open_service(settings, kernel=kernel, fit=fit)
    except OpenError as exc:
        raise CliError(f"quizapp: {exc}") from exc
    set_language(service.interface_language())
    if new:
        _notices.append(_("quizapp: created a new database at {path}").format(path=path))
    if writes:
        _writers.append(service)
    return service


def _require_deck(service, deck: str | None) -> None:
    if deck is not None and deck not in service.deck_names():
        raise CliError(_("quizapp: no deck named {deck!r} (see quizapp decks)").format(deck=deck))


def _run_tui(settings) -> int:
    from quizapp.kernel import Kernel

    # The processes the app may run, made here at the top and passed down.
    service = _open_service(settings, kernel=Kernel() if settings.start_kernel else None)
    if settings.review_deck is not None:
        _require_deck(service, settings.review_deck)
    from quizapp.tui.app import make_app

    app = make_app(settings, service=service)
    app.run()  # backs up on exit (QuizApp.backup_on_close)
    if app.backup_problem:
        _notices.append(_("quizapp: warning: {problem}").format(problem=app.backup_problem))
    # Textual sets return_code to 1 when the app ended on an unhandled error (it has
    # already printed the traceback): the process must not exit 0 after a crash.
    return app.return_code or 0


# json escapes the C0 controls itself; DEL and the C1 controls (U+0080-U+009F, which
# some terminals obey) only ever occur inside strings, where \uXXXX means the same.
_JSON_CONTROLS = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def _json_text(value) -> str:
    """``value`` as one line of JSON with no raw control character in it."""
    return json.dumps(value, ensure_ascii=False, indent=None).translate(_JSON_CONTROLS)


def _print_json(value) -> None:
    sys.stdout.write(_json_text(value))
    sys.stdout.write("\n")


def _one_line(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
