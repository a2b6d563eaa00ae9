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
