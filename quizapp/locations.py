"""Where quizapp keeps its files. Nothing here touches the disk on import."""

from __future__ import annotations

import os
import re
from pathlib import Path

APP_NAME = "quizapp"


def data_dir() -> Path:
    """The per-user data directory (QUIZAPP_DATA_DIR overrides it, for tests)."""
    override = os.environ.get("QUIZAPP_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_database_url() -> str:
    """SQLAlchemy URL of the default database: QUIZAPP_DB, else a file in data_dir()."""
    return database_url(os.environ.get("QUIZAPP_DB") or str(data_dir() / "quizapp.sqlite3"))


#: A scheme followed by a colon (two letters at least: ``C:`` is a drive).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


def database_url(path_or_url: str) -> str:
    """Accept a filesystem path or any SQLAlchemy URL. A path that looks
    like a URL (``file:data/q.db?mode=ro``) is refused with ValueError rather
    than taken as a folder named ``file:``."""
    if "://" in path_or_url:
        return path_or_url
    if _SCHEME.match(path_or_url):
        raise ValueError(
            f"{path_or_url!r} looks like a URL but is not a SQLAlchemy one: give a path "
            "(./name to mean a file) or a URL such as sqlite:///data/q.db"
        )
    return f"sqlite:///{Path(path_or_url).expanduser().absolute()}"


def default_database_path() -> Path | None:
    """The default database file when QUIZAPP_DB doesn't name another."""
    return None if os.environ.get("QUIZAPP_DB") else data_dir() / "quizapp.sqlite3"


def builtin_decks_dir() -> Path:
    """The built-in decks: inside the wheel, or decks/ in a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_decks", package.parent / "decks"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("built-in decks not found (expected quizapp/_decks or decks/)")
