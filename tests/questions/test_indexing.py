"""The indexing family: shapes of basic and advanced indexing, masks, IndexError."""

from __future__ import annotations

import operator
import random
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from quizapp.kernel.validator import validate
from quizapp.questions.base import KERNEL_FAILURES, AnswerKind, QuestionError, assemble
from quizapp.questions.families import indexing as module

FAMILY = module.FAMILY
SEEDS = range(200)
ROOT = Path(__file__).resolve().parents[2]
SHAPE_RE = re.compile(r"^\((\d+,|\d+(, \d+)+)?\)$")
ERROR_RE = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception)$")

_built: dict[int, tuple] = {}


@pytest.fixture
def built(runner):
    """seed -> (draft, question or QuestionError, main reply); built once per module."""
    if not _built:
        for seed in SEEDS:
            mains = []

            def recording(codes, mains=mains):
                replies = runner(codes)
                mains.append(replies[0])
                return replies

            try:
                question = assemble(FAMILY, seed, recording)
            except QuestionError as exc:
                question = exc
            _built[seed] = (FAMILY.build(random.Random(seed)), question, mains[0])
    return _built


# -- what every family must do -------------------------------------------------


def test_metadata():
    assert module.ORDER == 9
    assert FAMILY.name == "indexing"
    assert FAMILY.answer_kind == AnswerKind.SHAPE
    assert set(FAMILY.title) == {"es", "en"} and all(FAMILY.title.values())


def test_main_snippet_never_fails_in_the_kernel(built):
    for seed, (draft, question, main) in built.items():
        assert main.error_type not in KERNEL_FAILURES, (seed, draft.code, main.error_message)
        assert not isinstance(question, QuestionError), (seed, question)


def test_choices_hold_the_answer_once(built):
    three = 0
    for seed, (draft, q, _) in built.items():
        assert q.choices.count(q.answer) == 1, (seed, q.code, q.choices)
        assert len(set(q.choices)) == len(q.choices), (seed, q.choices)
        three += len(q.choices) >= 3
    assert three >= 0.9 * len(built)


def test_deterministic(built, runner):
    for seed in range(0, 200, 4):
        again = assemble(FAMILY, seed, runner)
        first = built[seed][1]
        assert (again.code, again.choices, again.answer) == (first.code, first.choices, first.answer)
        assert FAMILY.build(random.Random(seed)) == FAMILY.build(random.Random(seed))


def test_every_snippet_and_variant_passes_the_validator(built):
    for draft, _, _ in built.values():
        validate(draft.code)
        for variant in draft.variants:
            validate(variant.code)


def test_drafts_are_complete(built):
    for draft, _, _ in built.values():
        assert set(draft.prompt) >= {"es", "en"} and set(draft.explanation) >= {"es", "en"}
        assert all(draft.prompt.values()) and all(draft.explanation.values())
        assert 2 <= len(draft.variants) <= 4
        for variant in draft.variants:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", variant.mistake)
            assert set(variant.label) == {"es", "en"} and all(variant.label.values())
            assert variant.code != draft.code
        for fallback in draft.fallbacks:
            assert SHAPE_RE.match(fallback) or ERROR_RE.match(fallback), fallback


def test_answers_are_canonical(built):
    for _, q, _ in built.values():
        assert SHAPE_RE.match(q.answer) or ERROR_RE.match(q.answer), q.answer
        for choice in q.choices:
            assert SHAPE_RE.match(choice) or ERROR_RE.match(choice), choice


def test_family_module_does_not_import_torch():
    code = f"import sys, {module.__name__}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- independent checks ----------------------------------------------------------


class _Key:
    def __getitem__(self, key):
        return key


def _oracle(shape: list[int], key) -> str:
    """numpy-style shape of basic indexing plus one group of (paired) lists."""
    key = key if isinstance(key, tuple) else (key,)
    real = [k for k in key if k is not None and k is not Ellipsis]
    if any(k is Ellipsis for k in key):
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:at] + (slice(None),) * (len(shape) - len(real)) + key[at + 1 :]
    else:
        key = key + (slice(None),) * (len(shape) - len(real))
    out: list = []
    lists: list[int] = []
    dim = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        size = shape[dim]
        dim += 1
        if isinstance(k, int):
            if not -size <= k < size:
                return "IndexError"
        elif isinstance(k, slice):
            out.append(len(range(*k.indices(size))))
        else:
            if any(not -size <= i < size for i in k):
                return "IndexError"
            if not lists:
                out.append("lists")
            lists.append(len(k))
    if lists:
        assert len(set(lists)) == 1
        out[out.index("lists")] = lists[0]
    return "(" + ", ".join(str(d) for d in out) + ("," if len(out) == 1 else "") + ")"


def test_shapes_match_an_independent_oracle(built):
    checked = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(r"x = torch\.zeros\((.*)\)\nx\[(.*)\]\.shape", draft.code)
        if not m:
            continue
        shape = [int(d) for d in m.group(1).split(",")]
        key = eval("k[" + m.group(2) + "]", {"k": _Key(), "torch": SimpleNamespace(tensor=list)})
        assert q.answer == _oracle(shape, key), (seed, draft.code, q.answer)
        checked += 1
    assert checked >= 120


_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def test_boolean_masks_depend_on_the_values(built):
    checked = 0
    for seed, (draft, q, _) in built.items():
        m = re.fullmatch(
            r"x = torch\.arange\((\d+)\)\.reshape\((\d+), (\d+)\)\nx\[(x|x\[:, 0\]) (>|>=|<) (\d+)\]\.shape",
            draft.code,
        )
        if not m:
            continue
        n, cols = int(m.group(2)), int(m.group(3))
        op, t = _OPS[m.group(5)], int(m.group(6))
        if m.group(4) == "x":
            expected = f"({sum(op(v, t) for v in range(n * cols))},)"
        else:
            rows = sum(op(r * cols, t) for r in range(n))
            expected = f"({rows}, {cols})"
        assert q.answer == expected, (seed, draft.code)
        checked += 1
    assert checked >= 15


def test_seeded_masks_are_one_dimensional(built):
    seen = 0
    for draft, q, _ in built.values():
        if "torch.manual_seed" in draft.code:
            assert draft.code.index("manual_seed") < draft.code.index("randn")
            assert re.fullmatch(r"\(\d+,\)", q.answer), q.answer
            seen += 1
    assert seen >= 5


def test_out_of_range_integers_raise_and_slices_clip(built):
    errors = clipped = 0
    for draft, q, _ in built.values():
        last = draft.code.splitlines()[-1]
        m = re.fullmatch(r"x\[(\d+):(\d+)\]\.shape", last)
        if m and draft.code.startswith("x = torch.zeros("):
            a, b = re.match(r"x = torch\.zeros\((\d+), (\d+)\)", draft.code).groups()
            assert q.answer == f"({min(int(m.group(2)), int(a)) - int(m.group(1))}, {b})"
            assert "IndexError" in q.choices  # the "slices raise too" misconception
            clipped += 1
        if q.answer == "IndexError":
            errors += 1
    assert errors >= 10 and clipped >= 3


def test_each_misconception_shows_up(built):
    mistakes = set()
    for _, q, _ in built.values():
        mistakes.update(q.mistakes.values())
    assert {"int_keeps_dim", "list_as_tuple", "advanced_outer", "mask_keeps_shape",
            "none_at_end", "last_index_is_size", "ellipsis_one_dim"} <= mistakes

