"""The .apkg zip (and .colpkg, the same zip): which member holds what.

- ``collection.anki2``: Anki 2.0 and 2.1 legacy exports (schema 11: note
  types and decks as JSON in the ``col`` table);
- ``collection.anki21``: Anki 2.1 "support older versions" exports (same
  schema, 2021 scheduler);
- ``collection.anki21b``: Anki 2.1.50+ exports, zstd-compressed, schema 18
  (``notetypes``/``fields``/``templates``/``decks`` tables, configs as
  protobuf). Its ``media`` map is a zstd-compressed protobuf too;
- ``meta``: the package format version (protobuf), in 2.1.50+ exports;
- ``media``: the media map (file number -> name), and the media files.

When several collections are present the newest is the real one (the older
is a "please update Anki" placeholder note).
"""

from __future__ import annotations

import zipfile

from quizapp.anki.budget import Budget, read_member
from quizapp.anki.errors import Refused
from quizapp.anki.protobuf import pb_get

__all__ = [
    "COLLECTIONS",
    "COLLECTION_LEGACY",
    "COLLECTION_ZSTD",
    "KNOWN_PACKAGE_VERSIONS",
    "MAX_MEDIA_MAP_BYTES",
    "MEDIA",
    "PLACEHOLDER",
    "pick_collection",
]

COLLECTION_ZSTD = "collection.anki21b"
COLLECTION_21 = "collection.anki21"
COLLECTION_LEGACY = "collection.anki2"
#: Newest first: the first one present holds the data.
COLLECTIONS = (COLLECTION_ZSTD, COLLECTION_21, COLLECTION_LEGACY)
MEDIA = "media"
META = "meta"
#: PackageMetadata.Version values this reader knows (0 unknown: legacy).
KNOWN_PACKAGE_VERSIONS = (0, 1, 2, 3)
#: How the placeholder note of an older collection beside a newer one begins.
PLACEHOLDER = "Please update to the latest Anki version"
#: The media map and meta members are small; a big one is hostile.
MAX_MEDIA_MAP_BYTES = 64 * 2**20
MAX_META_BYTES = 2**16


def pick_collection(archive: zipfile.ZipFile) -> str:
    """The member holding the collection; refuses a package format newer than known."""
    names = set(archive.namelist())
    if META in names:
        meta = read_member(archive, META, Budget(MAX_META_BYTES), limit=MAX_META_BYTES)
        version = _meta_version(meta)
        if version not in KNOWN_PACKAGE_VERSIONS:
            raise Refused(
                f"package format version {version} is newer than this quizapp reads; "
                "export it from Anki with 'Support older Anki versions' ticked"
            )
    for member in COLLECTIONS:
        if member in names:
            return member
    raise Refused("not an Anki package: no collection inside (collection.anki21b, .anki21 or .anki2)")


def _meta_version(raw: bytes) -> int:
    try:
        version = pb_get(raw, 1, 0)
    except ValueError:
        raise Refused("package 'meta' is damaged") from None
    return version if isinstance(version, int) else -1
