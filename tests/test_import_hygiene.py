"""Layering: textual only under quizapp.tui, torch only in the kernel worker,
and the formats (importers, exporters, anki) free of the database too.

Each module is imported in a fresh interpreter and sys.modules inspected.
"""

import json
import pkgutil
import subprocess
import sys

import pytest

import quizapp

# One fresh interpreter per module: about a minute in all.
pytestmark = pytest.mark.slow


def _modules() -> list[str]:
    # __main__ runs the app when imported: it is only an entry point.
    names = (m.name for m in pkgutil.walk_packages(quizapp.__path__, "quizapp."))
    return sorted(n for n in names if not n.endswith("__main__"))


def _loaded_after_import(module: str) -> set[str]:
    code = f"import importlib, json, sys; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, stdin=subprocess.DEVNULL
    ).stdout
    return {m.split(".")[0] for m in json.loads(out)}


# Modules that may load torch: the worker and the encoder it uses, and the
# worker-side sandbox; nothing the UI process imports.
TORCH_ALLOWED = {"quizapp.kernel.worker", "quizapp.kernel.encoding", "quizapp.kernel.sandbox"}
#: Deck formats are pure: file in, cards out (and back), whatever the store or the UI.
FORMAT_PACKAGES = ("quizapp.importers", "quizapp.exporters", "quizapp.anki")
NOT_IN_FORMATS = {"sqlmodel", "sqlalchemy", "textual", "torch"}


@pytest.mark.parametrize("module", _modules())
def test_layering(module):
    loaded = _loaded_after_import(module)
    if not module.startswith("quizapp.tui"):
        assert "textual" not in loaded, f"{module} imports textual"
    if module not in TORCH_ALLOWED:
        assert "torch" not in loaded, f"{module} imports torch"
    if module.startswith(tuple(f"{p}." for p in FORMAT_PACKAGES)) or module in FORMAT_PACKAGES:
        assert not loaded & NOT_IN_FORMATS, f"{module} imports {sorted(loaded & NOT_IN_FORMATS)}"


def test_cli_and_app_start_without_torch():
    """The TUI process never loads torch (it costs seconds)."""
    loaded = _loaded_after_import("quizapp.tui.app") | _loaded_after_import("quizapp.cli")
    assert "torch" not in loaded
