"""Fenced Python blocks that become predict-the-output cards.

A fenced ``python`` block outside any card that prints (calls ``print()``) or
ends in an expression becomes a predict-the-output card: kind ``code``, data
``{"code": ..., "answer_kind": "auto"}``. ``import torch``, ``import math``
and the kernel's own aliases (``import torch.nn as nn``,
``import torch.nn.functional as F``, ``from torch import nn``) are removed;
a block with any other import, or with ``def``/``class``, or that is not
valid Python, is skipped with a warning ("skipped: ..."). Its question is the
paragraph just above the block unless that paragraph is a card (or, if it is
longer than 300 characters or absent, the last heading; else "¿Qué imprime
este código?"). Whether it is deterministic, and what it prints, is settled
later by the kernel.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable

from quizapp.domain import CardKind
from quizapp.importers.markdown.blocks import MAX_CARD_CHARS, Fence
from quizapp.importers.markdown.decks import Decks, question_head
from quizapp.importers.markdown.display import display
from quizapp.importers.markdown.ids import Question, key_hash
from quizapp.importers.markdown.syntax import HEADING

__all__ = ["DEFAULT_CODE_FRONT", "code_question"]

DEFAULT_CODE_FRONT = "¿Qué imprime este código?"
#: A paragraph longer than this is not used as a code card's question.
MAX_CODE_FRONT_CHARS = 300
PYTHON_INFO = ("python", "py", "python3")

# Imports the kernel provides already (it knows torch, nn and F) and math.
_REMOVABLE_IMPORTS = {("torch", None), ("math", None), ("torch.nn", "nn"), ("torch.nn.functional", "F")}
_REMOVABLE_FROM = {("torch", "nn", None), ("torch", "nn", "nn"), ("torch.nn", "functional", "F")}


def code_question(
    fence: Fence,
    lines: list[str],
    *,
    blank: list[bool],
    in_card: list[bool],
    headings: list[str],
    decks: Decks,
    warn: Callable[[int, str], None],
) -> Question | None:
    """The code card of ``fence``, or None when the block is not one (``warn`` says why, where it matters)."""
    info = fence.info.split()[0].lower() if fence.info.split() else ""
    info = info.lstrip("{").rstrip("}").lstrip(".")
    if info not in PYTHON_INFO:
        return None
    line = fence.first + 1
    body = textwrap.dedent("\n".join(lines[fence.first + 1 : fence.last]))
    if len(body) > MAX_CARD_CHARS:
        warn(line, f"skipped: Python block of {len(body):,} characters (the limit is {MAX_CARD_CHARS:,})")
        return None
    try:
        tree = ast.parse(body)
    except SyntaxError as exc:
        where = f" (line {exc.lineno} of the block)" if exc.lineno else ""
        warn(line, f"skipped: Python block is not valid Python: {exc.msg}{where}")
        return None
    except (RecursionError, MemoryError, ValueError):
        warn(line, "skipped: Python block is too deeply nested to read")
        return None
    if not tree.body:
        return None
    shows = isinstance(tree.body[-1], ast.Expr) or any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print" for n in ast.walk(tree)
    )
    if not shows:
        return None
    removable: set[int] = set()
    others: list[str] = []
    defines: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if node in tree.body and all((a.name, a.asname) in _REMOVABLE_IMPORTS for a in node.names):
                removable.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            else:
                others.extend(a.name for a in node.names if (a.name, a.asname) not in _REMOVABLE_IMPORTS)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if node in tree.body and all((module, a.name, a.asname) in _REMOVABLE_FROM for a in node.names):
                removable.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            else:
                others.append(module)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defines.append(f"def {node.name}")
        elif isinstance(node, ast.ClassDef):
            defines.append(f"class {node.name}")
    if others:
        unique = ", ".join(dict.fromkeys(others))
        warn(line, f"skipped: Python block imports {unique} (only torch and math are available)")
        return None
    if defines:
        warn(line, f"skipped: Python block defines {', '.join(defines)} (code cards run plain statements)")
        return None
    code_lines = [text for number, text in enumerate(body.split("\n"), 1) if number not in removable]
    code = "\n".join(code_lines).strip("\n")
    if not code.strip():
        return None
    deck = decks.deck_for(fence.first, [])
    front = _code_front(lines, blank, in_card, fence.first, headings[fence.first])
    data = {"code": code, "answer_kind": "auto"}
    if headings[fence.first]:
        data["context"] = headings[fence.first]
    question = Question("code-" + key_hash(code), line, deck, tuple(decks.note_tags))
    question.cards.append(("", CardKind.CODE, front, "", data))
    return question


def _code_front(lines: list[str], blank: list[bool], in_card: list[bool], fence_line: int, context: str) -> str:
    """The paragraph right above the block, else the last heading, else the default."""
    k = fence_line - 1
    while k >= 0 and blank[k]:
        k -= 1
    paragraph: list[str] = []
    # A paragraph that is a card (or a code block) is not this block's question.
    while k >= 0 and not blank[k] and not in_card[k] and len(paragraph) < 20:
        stripped = lines[k].strip()
        if stripped.startswith(("```", "~~~")):
            break
        if not HEADING.match(lines[k]):
            paragraph.insert(0, lines[k])
        k -= 1
    raw = "\n".join(paragraph)
    text = display(question_head(raw)[2]) if len(raw) <= 10 * MAX_CODE_FRONT_CHARS else ""
    if text and len(text) <= MAX_CODE_FRONT_CHARS:
        return text
    heading = context.rsplit(" > ", 1)[-1] if context else ""
    return heading or DEFAULT_CODE_FRONT
