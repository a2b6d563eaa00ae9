"""The typed settings object the CLI builds and the app and service read."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field


def default_user() -> str:
    """QUIZAPP_USER, else the login name."""
    env = os.environ.get("QUIZAPP_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "default"


#: Backups kept when QUIZAPP_BACKUP_KEEP doesn't say (service/backup.py).
DEFAULT_BACKUP_KEEP = 20


def default_backup_keep() -> int:
    """QUIZAPP_BACKUP_KEEP (0: keep all, no automatic backups), else 20;
    ValueError if it isn't a whole number >= 0."""
    env = os.environ.get("QUIZAPP_BACKUP_KEEP", "").strip()
    if not env:
        return DEFAULT_BACKUP_KEEP
    if not env.isdigit():
        raise ValueError(f"QUIZAPP_BACKUP_KEEP={env!r}: give a whole number (0: keep all, no automatic backups)")
    return int(env)


@dataclass(frozen=True)
class Settings:
    """Everything a run of quizapp needs to know, decided once at start-up."""

    database_url: str
    user: str = field(default_factory=default_user)
    #: Start the TUI in a review of this deck (None: the home screen).
    review_deck: str | None = None
    #: Open a review straight away.
    start_in_review: bool = False
    #: End a review session after this many cards (None: no limit).
    review_limit: int | None = None
    #: End a review session after this many minutes (None: no limit).
    review_minutes: float | None = None
    #: Start the torch kernel in the background (off in some tests).
    start_kernel: bool = True
    #: Install and re-sync the built-in decks on start.
    sync_builtin_decks: bool = True
    #: Backups kept (0: all, and none made automatically); QUIZAPP_BACKUP_KEEP.
    backup_keep: int = field(default_factory=default_backup_keep)
