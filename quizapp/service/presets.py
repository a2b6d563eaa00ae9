"""Use cases: deck option presets, as Anki's. A preset holds the desired
retention, the daily limits and the steps (study_settings.Preset validates
them); several decks may share one; every deck uses the learner's
"Default" preset unless assigned another. Presets and assignments are each
learner's own (tables ``preset`` and ``deckpreset``).

Also what the review and the deck list need from them: what is left of
each deck's daily limits today (:func:`deck_limits`, arithmetic in
quizapp.deck_limits) and the scheduler a card's preset gives
(:func:`scheduler_for_card`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, delete, select

from quizapp import deck_limits as arithmetic
from quizapp.deck_limits import Left
from quizapp.domain import DEFAULT_PRESET
from quizapp.i18n import _
from quizapp.scheduling import Scheduler, SchedulingConfig
from quizapp.service.context import Context
from quizapp.store import queries
from quizapp.store.models import DeckPreset
from quizapp.store.models import Preset as PresetRow
from quizapp.study_settings import (
    Preset,
    SettingsError,
    check_preset_name,
    format_steps,
    parse_steps,
    validate_preset,
)


def list_presets(ctx: Context) -> list[Preset]:
    """The learner's presets, Default first, each with the decks assigned it."""
    with ctx.read() as session:
        return _presets(ctx, session)


def preset(ctx: Context, name: str) -> Preset:
    """One preset by name; SettingsError if the learner has none so called."""
    for found in list_presets(ctx):
        if found.name == name:
            return found
    raise SettingsError(_("no preset named {name}").format(name=repr(name)))


def deck_preset(ctx: Context, deck: str) -> Preset:
    """The preset ``deck`` uses; SettingsError if there is no such deck."""
    with ctx.read() as session:
        deck_id = _deck_id(session, deck)
        preset_id = queries.deck_assignments(session=session, user_id=ctx.user_id).get(deck_id)
        name = _name_of(session, preset_id) or DEFAULT_PRESET
        return next(p for p in _presets(ctx, session) if p.name == name)


def create_preset(ctx: Context, name: str, **changes: object) -> Preset:
    """A new preset with Anki's defaults and ``changes`` (values may be
    text, as typed); SettingsError names the first bad value, or a name
    already in use, and nothing is written."""
    name = check_preset_name(name)
    created = validate_preset(Preset(name=name), changes)
    with ctx.write() as session:
        if queries.preset_named(session=session, user_id=ctx.user_id, name=name) is not None:
            raise SettingsError(_("a preset named {name} already exists").format(name=repr(name)))
        row = PresetRow(user_id=ctx.user_id, name=name)
        _store(row, created)
        session.add(row)
    return created


def update_preset(ctx: Context, name: str, *, rename: str | None = None, **changes: object) -> Preset:
    """Validate and store ``changes`` to the preset ``name`` (and its new
    name, ``rename``; Default keeps its name). Every deck using it is
    scheduled and limited by the new values at once."""
    with ctx.write() as session:
        updated = update_preset_in(ctx, session, name, rename=rename, changes=changes)
    if updated.is_default:
        ctx.use_config(updated.config(ctx.config))
    return preset(ctx, updated.name)


def update_preset_in(
    ctx: Context, session: Session, name: str, *, rename: str | None = None, changes: Mapping[str, object]
) -> Preset:
    """:func:`update_preset` inside the caller's write transaction."""
    row = _row(ctx, session, name)
    updated = validate_preset(_from_row(row), changes)
    if rename is not None and check_preset_name(rename) != row.name:
        new_name = check_preset_name(rename)
        if row.name == DEFAULT_PRESET:
            raise SettingsError(_("the Default preset keeps its name"))
        if new_name == DEFAULT_PRESET or queries.preset_named(session=session, user_id=ctx.user_id, name=new_name):
            raise SettingsError(_("a preset named {name} already exists").format(name=repr(new_name)))
        row.name = new_name
        updated = replace(updated, name=new_name)
    _store(row, updated)
    return updated


def delete_preset(ctx: Context, name: str) -> list[str]:
    """Delete a preset; the decks that used it go back to Default (their
    names are returned). The Default preset can't be deleted."""
    if name == DEFAULT_PRESET:
        raise SettingsError(_("the Default preset can't be deleted"))
    with ctx.write() as session:
        row = _row(ctx, session, name)
        decks = _decks_using(session, ctx.user_id, row.id)
        session.exec(delete(DeckPreset).where(col(DeckPreset.preset_id) == row.id))
        session.delete(row)
    return decks


def assign_preset(ctx: Context, decks: Iterable[str], name: str) -> Preset:
    """Make ``decks`` use the preset ``name`` (each deck alone: its
    subdecks keep theirs, as in Anki). SettingsError for an unknown deck or
    preset, and nothing is written."""
    with ctx.write() as session:
        row = _row(ctx, session, name)
        for deck in decks:
            deck_id = _deck_id(session, deck)
            current = session.get(DeckPreset, (ctx.user_id, deck_id))
            if row.name == DEFAULT_PRESET:  # Default is the absence of a row
                if current is not None:
                    session.delete(current)
            elif current is None:
                assert row.id is not None
                session.add(DeckPreset(user_id=ctx.user_id, deck_id=deck_id, preset_id=row.id))
            else:
                current.preset_id = row.id  # type: ignore[assignment]
    return preset(ctx, name)


# -- what the review and the deck list need --------------------------------------


@dataclass(frozen=True)
class DeckLimits:
    """What is left today of every deck's daily limits (quizapp.deck_limits)."""

    #: Per deck name: its own limits minus what its subtree studied today.
    left: Mapping[str, Left]
    #: Deck name -> id.
    ids: Mapping[str, int]

    def available(self, deck: str) -> Left:
        """What a card of ``deck`` may still take today (its limits and its
        ancestors', less what their subtrees studied)."""
        return arithmetic.available(self.left, deck)

    def open_deck_ids(self, deck: str | None) -> tuple[list[int] | None, list[int] | None]:
        """Ids of the decks under ``deck`` (None: all) whose cards may still
        be shown today: (for new cards, for reviews). None where every such
        deck is open (no filter needed)."""
        names = [n for n in self.ids if deck is None or n == deck or n.startswith(deck + "::")]
        new, review = arithmetic.open_decks(self.left, names)
        return (
            None if len(new) == len(names) else [self.ids[n] for n in sorted(new)],
            None if len(review) == len(names) else [self.ids[n] for n in sorted(review)],
        )

    def capped(self, counts: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """Per deck: (new, review) that studying it can show today, from
        each deck's own (new, due review) ``counts``; "" for all decks."""
        subtrees = arithmetic.subtree_counts(self.left, counts)
        capped = {name: arithmetic.capped_counts(self.left, subtrees, name) for name in subtrees}
        tops = [capped[name] for name in capped if "::" not in name]
        capped[""] = (sum(n for n, _ in tops), sum(r for _, r in tops))
        return capped


def deck_limits(ctx: Context, *, session: Session, since: datetime) -> DeckLimits:
    """What is left of each deck's limits on the study day that began at
    ``since``: its preset's new and review limits minus the cards its
    subtree introduced and reviewed since then. With a fixed config
    (tests, tools), every deck has the config's limits."""
    ids = queries.decks_by_name(session=session)
    studied_by_id = queries.studied_by_deck(session=session, user_id=ctx.user_id, since=since)
    names = {deck_id: name for name, deck_id in ids.items()}
    studied = {names[deck_id]: counts for deck_id, counts in studied_by_id.items() if deck_id in names}
    default = (ctx.config.new_per_day, ctx.config.reviews_per_day)
    limits = dict.fromkeys(ids, default)
    if not ctx.fixed_config:
        rows = {row.id: row for row in queries.presets_of(session=session, user_id=ctx.user_id)}
        default_row = next((row for row in rows.values() if row.name == DEFAULT_PRESET), None)
        if default_row is not None:
            default = (default_row.new_per_day, default_row.reviews_per_day)
            limits = dict.fromkeys(ids, default)
        for deck_id, preset_id in queries.deck_assignments(session=session, user_id=ctx.user_id).items():
            row = rows.get(preset_id)
            if row is not None and deck_id in names:
                limits[names[deck_id]] = (row.new_per_day, row.reviews_per_day)
    return DeckLimits(left=arithmetic.remaining(limits, studied), ids=ids)


def config_for_deck(ctx: Context, session: Session, deck_id: int | None) -> SchedulingConfig:
    """The learner's config with the preset of the deck ``deck_id`` (the
    fixed config, if the context has one)."""
    if ctx.fixed_config or deck_id is None:
        return ctx.config
    assigned = session.get(DeckPreset, (ctx.user_id, deck_id))
    row = None if assigned is None else session.get(PresetRow, assigned.preset_id)
    if row is None:
        row = queries.preset_named(session=session, user_id=ctx.user_id, name=DEFAULT_PRESET)
    return ctx.config if row is None else _from_row(row).config(ctx.config)


def configs_by_deck(ctx: Context, session: Session) -> dict[int, SchedulingConfig]:
    """Deck id -> the config its preset gives, for every deck (one query
    each for decks, presets and assignments: for work over many cards)."""
    ids = queries.decks_by_name(session=session)
    if ctx.fixed_config:
        return dict.fromkeys(ids.values(), ctx.config)
    rows = {row.id: row for row in queries.presets_of(session=session, user_id=ctx.user_id)}
    configs = {preset_id: _from_row(row).config(ctx.config) for preset_id, row in rows.items()}
    default = next((configs[row.id] for row in rows.values() if row.name == DEFAULT_PRESET), ctx.config)
    assigned = queries.deck_assignments(session=session, user_id=ctx.user_id)
    return {deck_id: configs.get(assigned.get(deck_id), default) for deck_id in ids.values()}


def scheduler_for_card(ctx: Context, session: Session, card_id: str) -> Scheduler:
    """The scheduler the card's deck preset gives (steps, desired retention)."""
    deck_id = queries.deck_of_card(session=session, card_id=card_id)
    return ctx.scheduler_for(config_for_deck(ctx, session, deck_id))


def default_preset(ctx: Context, session: Session) -> Preset:
    """The learner's Default preset (Anki's defaults if it is missing)."""
    row = queries.preset_named(session=session, user_id=ctx.user_id, name=DEFAULT_PRESET)
    return Preset() if row is None else _from_row(row)


# -- rows ------------------------------------------------------------------------


def _presets(ctx: Context, session: Session) -> list[Preset]:
    rows = queries.presets_of(session=session, user_id=ctx.user_id)
    ids = queries.decks_by_name(session=session)
    names = {deck_id: name for name, deck_id in ids.items()}
    decks: dict[int, list[str]] = {}
    for deck_id, preset_id in queries.deck_assignments(session=session, user_id=ctx.user_id).items():
        if deck_id in names:
            decks.setdefault(preset_id, []).append(names[deck_id])
    found = [
        replace(_from_row(row), decks=tuple(sorted(decks.get(row.id, ()), key=lambda n: n.split("::"))))
        for row in rows
        if row.id is not None
    ]
    if not any(p.is_default for p in found):
        found.append(Preset())
    return sorted(found, key=lambda p: (not p.is_default, p.name.casefold()))


def _from_row(row: PresetRow) -> Preset:
    defaults = Preset()
    try:
        learning = parse_steps(row.learning_steps)
        relearning = parse_steps(row.relearning_steps, name="relearning steps")
    except SettingsError:  # edited by hand: fall back rather than refuse to start
        learning, relearning = defaults.learning_steps, defaults.relearning_steps
    return Preset(
        name=row.name,
        desired_retention=row.desired_retention,
        new_per_day=row.new_per_day,
        reviews_per_day=row.reviews_per_day,
        learning_steps=learning,
        relearning_steps=relearning,
    )


def _store(row: PresetRow, values: Preset) -> None:
    row.desired_retention = values.desired_retention
    row.new_per_day = values.new_per_day
    row.reviews_per_day = values.reviews_per_day
    row.learning_steps = format_steps(values.learning_steps)
    row.relearning_steps = format_steps(values.relearning_steps)


def _row(ctx: Context, session: Session, name: str) -> PresetRow:
    if name == DEFAULT_PRESET:
        return queries.ensure_default_preset(session=session, user_id=ctx.user_id)
    row = queries.preset_named(session=session, user_id=ctx.user_id, name=name)
    if row is None:
        raise SettingsError(_("no preset named {name}").format(name=repr(name)))
    return row


def _name_of(session: Session, preset_id: int | None) -> str | None:
    row = None if preset_id is None else session.get(PresetRow, preset_id)
    return None if row is None else row.name


def _deck_id(session: Session, deck: str) -> int:
    deck_id = queries.decks_by_name(session=session).get(deck)
    if deck_id is None:
        raise SettingsError(_("no deck named {deck}").format(deck=repr(deck)))
    return deck_id


def _decks_using(session: Session, user_id: int, preset_id: int | None) -> list[str]:
    names = {deck_id: name for name, deck_id in queries.decks_by_name(session=session).items()}
    stmt = select(DeckPreset.deck_id).where(DeckPreset.user_id == user_id, DeckPreset.preset_id == preset_id)
    return sorted((names[d] for d in session.exec(stmt) if d in names), key=lambda n: n.split("::"))
