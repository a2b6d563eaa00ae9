"""Tags: the deck each card goes to, the tags it carries, and the tags and
headings that lead a question.

As in the plugin, ``#flashcards`` tags decide the deck: ``#flashcards/a/b``
is deck ``a::b`` (under the import's ``--deck`` when one is given:
``<deck>::a::b``), and a bare ``#flashcards`` is the base deck. The tag
that applies to a card is, in order: a tag at the start of the card's first
line (question-specific, removed from the question); else the last line of
tags above the card; else the note's YAML front matter ``tags:``; else the
first ``#flashcards`` tag of the note. A card tagged with several decks goes
to the first (the plugin shows it in each; quizapp keeps one schedule per
card). Tags in code and comments don't count. A note with no ``#flashcards``
tag goes to its folder's deck (reader.py).

Card tags are the note's other front-matter tags plus the non-flashcard tags
written in the card itself (without ``#``).

Tags and headings that lead a question (``#flashcards/x`` on the line above
it, ``## Section`` right above it in the same paragraph) are not part of the
question; the headings become the card's context (note.py).
"""

from __future__ import annotations

import bisect
import re

from quizapp.importers.markdown.blocks import Fence
from quizapp.importers.markdown.syntax import HEADING, INLINE_CODE, strip_comments

__all__ = ["FLASHCARD_TAG", "Decks", "front_matter", "is_flashcard_tag", "question_head", "visible_lines"]

FLASHCARD_TAG = "flashcards"

_TAG = re.compile(r"(?:(?<=\s)|^)#([\w/-]+)")
_LEADING_TAG = re.compile(r"\s*#([\w/-]+)(?:[ \t]+|\n|$)")
_FRONT_MATTER_TAGS = re.compile(r"^(tags?)[ \t]*:[ \t]*(.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[ \t]*-[ \t]*(.*)$")


class Decks:
    """Which deck and tags the cards of one note get."""

    def __init__(
        self,
        visible: list[str],
        in_card: list[bool],
        front_matter_tags: list[str],
        *,
        base: str,
        folder_deck: str,
        tag_root: str | None = None,
    ) -> None:
        """``visible``: the note's lines as visible_lines gives them;
        ``in_card``: per line, whether a card holds it; ``tag_root``: the
        deck ``#flashcards/...`` decks go under (None: they are top-level)."""
        self.base = base
        self.tag_root = tag_root
        self.folder_deck = folder_deck
        self.all_flashcard_tags: list[str] = []
        self.tag_lines: list[int] = []  # note-level tag lines, ascending
        self.tag_groups: list[list[str]] = []
        for index, line in enumerate(visible):
            if "#" not in line:
                continue
            found = [t for t in _tags_in(line) if is_flashcard_tag(t)]
            if not found:
                continue
            self.all_flashcard_tags.extend(found)
            if not in_card[index]:
                self.tag_lines.append(index)
                self.tag_groups.append(found)
        self.front_matter_decks = [t for t in front_matter_tags if is_flashcard_tag(t)]
        #: The note's own tags (front matter), on every card.
        self.note_tags = [_tag_name(t) for t in front_matter_tags if not is_flashcard_tag(t)]

    def deck_for(self, first_line: int, question_tags: list[str]) -> str:
        """The deck of a card starting at ``first_line`` and led by ``question_tags``."""
        if question_tags:
            return self._deck_name(question_tags[0])
        k = bisect.bisect_left(self.tag_lines, first_line)
        if k > 0:
            return self._deck_name(self.tag_groups[k - 1][0])
        if self.front_matter_decks:
            return self._deck_name(self.front_matter_decks[0])
        if self.all_flashcard_tags:
            return self._deck_name(self.all_flashcard_tags[0])
        return self.folder_deck

    def _deck_name(self, tag: str) -> str:
        parts = [p for p in tag.split("/") if p][1:]
        if not parts:
            return self.base
        return "::".join([self.tag_root, *parts] if self.tag_root else parts)

    def card_tags(self, raw: str) -> tuple[str, ...]:
        """The tags of a card written as ``raw``: the note's, then its own."""
        if "#" not in raw:
            return tuple(self.note_tags)
        visible = INLINE_CODE.sub(" ", strip_comments(raw, replacement=" "))
        own = [_tag_name(t) for t in _tags_in(visible) if not is_flashcard_tag(t)]
        return tuple(dict.fromkeys([*self.note_tags, *own]))


def visible_lines(lines: list[str], fences: dict[int, Fence]) -> list[str]:
    """Each line with HTML comments and fenced code removed (for finding tags)."""
    n = len(lines)
    visible: list[str] = []
    in_comment = False
    index = 0
    while index < n:
        if not in_comment and index in fences:
            end = fences[index].last
            visible.extend([""] * (end - index + 1))
            index = end + 1
            continue
        line = lines[index]
        out = []
        pos = 0
        while pos < len(line):
            if in_comment:
                end = line.find("-->", pos)
                if end < 0:
                    pos = len(line)
                else:
                    in_comment, pos = False, end + 3
            else:
                start = line.find("<!--", pos)
                if start < 0:
                    out.append(line[pos:])
                    pos = len(line)
                else:
                    out.append(line[pos:start])
                    in_comment, pos = True, start + 4
        visible.append(INLINE_CODE.sub(" ", "".join(out)))
        index += 1
    return visible


def front_matter(lines: list[str]) -> tuple[list[str], int]:
    """(tags of the YAML front matter, index of the first line after it)."""
    if not lines or lines[0].rstrip() != "---":
        return [], 0
    end = None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            end = index
            break
    if end is None:
        return [], 0
    tags: list[str] = []
    body = lines[1:end]
    index = 0
    while index < len(body):
        m = _FRONT_MATTER_TAGS.match(body[index])
        if m:
            value = m.group(2).strip()
            items: list[str] = []
            if value.startswith("["):  # a YAML flow list
                items = value.strip("[]").split(",")
            elif value:  # Obsidian also reads "tags: a, b" and "tags: a b"
                items = re.split(r"[,\s]+", value)
            else:
                while index + 1 < len(body) and (item_match := _LIST_ITEM.match(body[index + 1])):
                    index += 1
                    items.append(item_match.group(1))
            for item in items:
                item = item.strip().strip("'\"").strip().lstrip("#")
                if item:
                    tags.append(item)
        index += 1
    return tags, end + 1


def _tags_in(text: str) -> list[str]:
    """Obsidian tags in ``text`` (without '#'); a tag needs a character that is not a digit."""
    return [t for t in (m.group(1).strip("/") for m in _TAG.finditer(text)) if t and not t.replace("/", "").isdigit()]


def is_flashcard_tag(tag: str) -> bool:
    return tag.split("/", 1)[0].lower() == FLASHCARD_TAG


def _tag_name(tag: str) -> str:
    return re.sub(r"\s+", "_", tag.strip().lstrip("#"))


def _split_leading_tags(text: str) -> tuple[list[str], str]:
    """(tags at the start of ``text``, the rest): the plugin's question-specific tags."""
    tags: list[str] = []
    pos = 0
    while True:
        m = _LEADING_TAG.match(text, pos)
        if not m or not _tags_in("#" + m.group(1)):
            break
        tags.append(m.group(1).strip("/"))
        pos = m.end()
    return tags, text[pos:]


def question_head(text: str) -> tuple[list[str], int, str]:
    """Split what leads a question: (its tags, how many lines of tags and
    headings were dropped, the rest). Headings above a question in the same
    paragraph become its context, as the plugin shows them."""
    tags: list[str] = []
    dropped = 0
    while True:
        found, rest = _split_leading_tags(text)
        if found:
            tags.extend(found)
            dropped += text[: len(text) - len(rest)].count("\n")
            text = rest
            continue
        first, newline, rest = text.partition("\n")
        if newline and rest.strip() and HEADING.match(first):
            dropped += 1
            text = rest
            continue
        return tags, dropped, text
