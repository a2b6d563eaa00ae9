"""One note, from its lines to its questions: the grammar finds the blocks
(blocks.py), the tags give each its deck (decks.py), and each block becomes
a question with its cards (here for ``::`` and ``?`` cards, clozes.py and
code_cards.py for the others), text as display.py shows it.

The headings a card sits under go to ``data["context"]`` ("Tensores >
Forma"), as the plugin shows them above each card; a question written as a
heading loses its ``#`` marks.
"""

from __future__ import annotations

from quizapp.domain import CardKind
from quizapp.importers.base import Problem
from quizapp.importers.markdown.blocks import (
    INLINE_REVERSED_SEPARATOR,
    INLINE_SEPARATOR,
    MAX_CARD_CHARS,
    Block,
    Fence,
    find_blocks,
    find_fences,
)
from quizapp.importers.markdown.clozes import cloze_question
from quizapp.importers.markdown.code_cards import code_question
from quizapp.importers.markdown.decks import Decks, front_matter, is_flashcard_tag, question_head, visible_lines
from quizapp.importers.markdown.display import display
from quizapp.importers.markdown.ids import Question, key_hash
from quizapp.importers.markdown.syntax import HEADING, block_id, heading_title, strip_comments, unheading

__all__ = ["MAX_HEADING_CHARS", "Note"]

#: Headings are cut to this length in a card's context.
MAX_HEADING_CHARS = 300


class Note:
    """One note's lines (front matter blanked out), and the warnings of reading it."""

    def __init__(self, lines: list[str], name: str) -> None:
        self.name = name
        self.warnings: list[Problem] = []
        self.front_matter_tags, content_start = front_matter(lines)
        # Blank the front matter out (keeps line numbers), as the plugin does.
        self.lines = [""] * content_start + lines[content_start:]
        self.blank = [not line.strip() for line in self.lines]
        self.fences = find_fences(self.lines)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.name, line, message))

    def questions(self, *, base: str, folder_deck: str, tag_root: str | None = None) -> list[Question]:
        """Every question of the note, in the order of their lines."""
        blocks, top_fences = find_blocks(self.lines, self.blank, self.fences)
        in_card = [False] * (len(self.lines) + 1)
        for b in blocks:
            for i in range(b.first, b.last + 1):
                in_card[i] = True
        decks = Decks(
            visible_lines(self.lines, self.fences),
            in_card,
            self.front_matter_tags,
            base=base,
            folder_deck=folder_deck,
            tag_root=tag_root,
        )
        headings = heading_contexts(self.lines, self.fences)
        questions: list[Question] = []
        for block in blocks:
            question = self._question(block, headings, decks)
            if question is not None:
                questions.append(question)
        # Only code blocks standing alone: one inside a card is part of the card.
        for fence in top_fences:
            question = code_question(
                fence, self.lines, blank=self.blank, in_card=in_card, headings=headings, decks=decks, warn=self.warn
            )
            if question is not None:
                questions.append(question)
        questions.sort(key=lambda q: q.line)
        return questions

    def _question(self, block: Block, headings: list[str], decks: Decks) -> Question | None:
        lines = self.lines[block.first : block.last + 1]
        raw = "\n".join(lines)
        line = block.first + 1
        if len(raw) > MAX_CARD_CHARS:
            self.warn(line, f"skipped: card of {len(raw):,} characters (the limit is {MAX_CARD_CHARS:,})")
            return None
        if block.kind in ("inline", "inline_rev"):
            assert block.separator is not None  # every block but a cloze has one
            first = self.lines[block.first]
            sep = INLINE_REVERSED_SEPARATOR if block.kind == "inline_rev" else INLINE_SEPARATOR
            front_raw = first[: block.separator]
            back_raw = first[block.separator + len(sep) :]
        elif block.kind in ("multi", "multi_rev"):
            assert block.separator is not None
            cut = block.separator - block.first
            front_raw = "\n".join(lines[:cut])
            back_raw = "\n".join(lines[cut + 1 :])
        else:
            front_raw, back_raw = raw, ""
        leading, dropped, front_raw = question_head(strip_comments(front_raw, sr_only=True))
        deck = decks.deck_for(block.first, [t for t in leading if is_flashcard_tag(t)])
        tags = decks.card_tags(raw)
        written_id = block_id(raw)
        context = headings[min(block.first + dropped, block.last)]
        front_raw = unheading(front_raw)
        if block.kind == "cloze":
            return cloze_question(front_raw, line, deck, tags, written_id, context, self.warn)
        front, back = display(front_raw), display(back_raw)
        if not front:
            self.warn(line, "skipped: card with an empty question")
            return None
        data = {"context": context} if context else {}
        key = "^" + written_id if written_id else "q-" + key_hash(front)
        question = Question(key, line, deck, tags)
        question.cards.append(("", CardKind.BASIC, front, back, dict(data)))
        if block.kind in ("inline_rev", "multi_rev"):
            if not back:
                self.warn(line, "skipped: the reverse of a card with an empty answer")
            else:
                question.cards.append(("::rev", CardKind.BASIC, back, front, dict(data)))
        return question


def heading_contexts(lines: list[str], fences: dict[int, Fence]) -> list[str]:
    """Per line: the headings it sits under, as "H1 > H2" (the plugin's card context)."""
    result: list[str] = []
    stack: list[tuple[int, str]] = []
    index = 0
    n = len(lines)
    while index < n:
        if index in fences:
            end = fences[index].last
            context = " > ".join(t for _, t in stack)
            result.extend([context] * (end - index + 1))
            index = end + 1
            continue
        result.append(" > ".join(t for _, t in stack))
        m = HEADING.match(lines[index])
        if m:
            level, title = len(m.group(1)), display(heading_title(m)[:MAX_HEADING_CHARS])
            while stack and stack[-1][0] >= level:
                stack.pop()
            if title:
                stack.append((level, title))
        index += 1
    return result
