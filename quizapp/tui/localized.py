"""Key bindings in the interface language.

Textual reads a class's ``BINDINGS`` when the class is created, before the
learner's language is known; their descriptions are written in English (and
extracted for translation with ``N_``). Each screen, the app and widgets with
bindings translate their own copy when they are made.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from quizapp.i18n import _


def localize_bindings(node: DOMNode) -> None:
    """Translate the descriptions and tooltips of ``node``'s bindings.
    ``node._bindings`` is the node's own copy of its class's bindings, so
    this changes nothing for other nodes."""
    bindings = node._bindings
    bindings.key_to_bindings = {
        key: [
            replace(binding, description=_(binding.description), tooltip=_(binding.tooltip) if binding.tooltip else "")
            for binding in key_bindings
        ]
        for key, key_bindings in bindings.key_to_bindings.items()
    }
