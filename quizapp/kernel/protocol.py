"""Limits of the JSON-lines protocol between the torch worker and its client.

Shared by ``worker.py`` (which never sends more) and ``client.py`` (which
never reads more). No torch here: the UI process imports it.
"""

from __future__ import annotations

MAX_REPLY_BYTES = 64 * 1024
"""Longest reply line, in bytes (newline excluded): the encoded value, the
printed text and the error together. The worker replies "ReplyTooLarge"
instead of sending more; the client refuses a longer line without reading it
whole and restarts the worker."""
MAX_VALUE_BYTES = 48 * 1024
"""Budget of the encoded value alone (JSON bytes, counted as it is built);
the rest of :data:`MAX_REPLY_BYTES` is left for the printed text."""
MAX_STDOUT_CHARS = 4096
"""Printed text kept per snippet, in characters."""
REPLY_TOO_LARGE = "ReplyTooLarge"
"""The error type of a snippet whose value or reply is over budget."""
