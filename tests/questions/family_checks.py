"""What every question family must do, in one place.

``CONTRACTS`` holds, per family, the few settings the generic contract needs
(seeds, answer kinds, choice counts, misconceptions that must show up);
tests/questions/test_family_contract.py runs the contract for every family in
``quizapp.questions.all_families()``. ``built`` builds a family's questions
once per session, shared by that contract and the family's own oracle checks
in tests/questions/test_<family>.py (through the ``built`` and ``questions``
fixtures of conftest.py).
"""

from __future__ import annotations

import json
import random
import re
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import pytest

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Family, Question, QuestionError, Reply, Runner, assemble

torch = pytest.importorskip("torch")

# Canonical answers (DESIGN.md), matched with fullmatch.
SHAPE_RE = re.compile(r"\((\d+,|\d+(, \d+)+)?\)")  # "()", "(5,)", "(4, 3, 2)"
DTYPE_RE = re.compile(r"torch\.(float|int|uint|bfloat|complex|bool)\d*")
INT_RE = re.compile(r"0|[1-9]\d*")
ERROR_RE = re.compile(r"[A-Z][A-Za-z]*(Error|Exception)")
MISTAKE_RE = re.compile(r"[a-z][a-z0-9_]*")
LANGUAGES = {"es", "en"}
T = TypeVar("T")


def json_list(value) -> bool:
    """VALUES answers of most families: a JSON list (nested as deep as the tensor)."""
    return isinstance(value, list)


def any_json(value) -> bool:
    """VALUES answers that may be a number, a string ("inf", "nan") or a list of them."""
    return True


def rounded_floats(value) -> bool:
    """VALUES answers of autograd: a float, or a flat list of floats, rounded to 4 places."""
    numbers = value if isinstance(value, list) else [value]
    return all(isinstance(v, float) and round(v, 4) == v for v in numbers)


def flag_pair(value) -> bool:
    """VALUES answers that are two flags: [true, false]."""
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, bool) for v in value)


def floats_or_flag_pair(value) -> bool:
    """VALUES answers of autograd: rounded floats (x.grad), or a pair of flags
    ((y.requires_grad, y.is_leaf))."""
    return flag_pair(value) or rounded_floats(value)


@dataclass(frozen=True)
class Contract:
    """The settings of the generic contract for one family."""

    order: int  # the module's ORDER
    kind: str  # FAMILY.answer_kind
    kinds: frozenset[str]  # every answer kind its questions may have
    seeds: range = range(300)  # every check runs over all of these
    deterministic: range = range(40)  # seeds built a second time and compared
    errors: bool = True  # may an answer, choice or fallback be an exception name?
    values: Callable[[object], bool] = json_list  # the form of a parsed VALUES answer
    variants: tuple[int, int] | None = None  # bounds on len(draft.variants); None: no bound
    bool_variants: tuple[int, int] | None = None  # the bounds for BOOL drafts, when they differ
    variants_differ: bool = True  # no variant's code is the snippet itself
    true_false: bool = False  # BOOL questions offer exactly "False" and "True"
    three_choices: float = 0.9  # min share of the other questions that offer >= 3 choices
    not_true_false: float = 0.0  # min share of seeds that are such other questions
    mistakes: frozenset[str] = frozenset()  # misconception keys that must show up as distractors
    unseen_mistakes: frozenset[str] = frozenset()  # declared keys that may never show up

    def variant_bounds(self, kind: str) -> tuple[int, int] | None:
        return self.bool_variants if kind == AnswerKind.BOOL and self.bool_variants else self.variants


SHAPE, DTYPE, VALUES, BOOL, INT = (
    AnswerKind.SHAPE,
    AnswerKind.DTYPE,
    AnswerKind.VALUES,
    AnswerKind.BOOL,
    AnswerKind.INT,
)
#: The newer families (ORDER >= 9) were written against 200 seeds, rebuilding every fourth.
_NEWER = {"seeds": range(200), "deterministic": range(0, 200, 4), "variants": (2, 4)}

CONTRACTS: dict[str, Contract] = {
    "broadcasting": Contract(
        1, SHAPE, frozenset({SHAPE}), mistakes=frozenset({"left_shape", "aligned_left", "right_shape", "inplace_grows"})
    ),
    "promotion": Contract(
        2,
        DTYPE,
        frozenset({DTYPE}),
        mistakes=frozenset(
            {
                "scalar_as_tensor",
                "left_wins",
                "zero_dim_counts",
                "integer_division",
                "sum_keeps_dtype",
                "mean_gives_float",
                "bool_stays",
            }
        ),
        # Over these seeds their variants always land on the answer or on another distractor.
        unseen_mistakes=frozenset({"zero_dim_wins", "wider_wins"}),
    ),
    "tensor_infer": Contract(
        3,
        DTYPE,
        frozenset({SHAPE, DTYPE}),
        mistakes=frozenset(
            {
                "outer_only",
                "flattened",
                "reversed_shape",
                "pads_ragged",
                "int_is_int32",
                "first_element_decides",
                "float_is_float64",
                "bool_wins",
                "tensor_class",
            }
        ),
    ),
    "creation_like": Contract(
        4,
        SHAPE,
        frozenset({SHAPE, DTYPE, VALUES}),
        mistakes=frozenset(
            {
                "inclusive_end",
                "steps_as_step",
                "eye_square",
                "randint_like_rand",
                "always_float32",
                "like_default_dtype",
                "like_ignores_dtype",
                "like_copies_values",
                "rand_like_keeps_int",
                "new_takes_shape",
                "full_like_keeps_fill",
            }
        ),
    ),
    "to_casts": Contract(
        5,
        VALUES,
        frozenset({VALUES}),
        mistakes=frozenset(
            {
                "rounds",
                "floors",
                "ceils",
                "floor_division",
                "saturates",
                "unchanged",
                "sign_dropped",
                "only_one_is_true",
                "negative_false",
                "true_is_minus_one",
                "keeps_float",
                "imprecise_float",
                "to_in_place",
            }
        ),
    ),
    "seeded_random": Contract(
        6,
        VALUES,
        frozenset({VALUES}),
        mistakes=frozenset({"no_reseed", "seed_fixes_every_draw", "reseed_skips_used", "other_seed"}),
    ),
    "reductions": Contract(
        7,
        SHAPE,
        frozenset({SHAPE}),
        mistakes=frozenset(
            {
                "keepdim_flipped",
                "dim_kept",
                "negative_from_left",
                "one_based",
                "reduces_all",
                "only_first_dim",
                "dim_wraps",
                "default_dim_zero",
                "scalar_is_1d",
            }
        ),
    ),
    "shape_ops": Contract(
        8,
        SHAPE,
        frozenset({SHAPE}),
        mistakes=frozenset(
            {
                "permute_inverse",
                "view_copies",
                "contiguous_ignored",
                "squeeze_all",
                "squeeze_removes_any",
                "negative_like_insert",
                "end_dim_exclusive",
                "flatten_keeps_batch",
                "minus_one_is_one",
            }
        ),
        variants_differ=False,
    ),  # a self-inverse permute, read backwards, is the snippet itself
    "indexing": Contract(
        9,
        SHAPE,
        frozenset({SHAPE}),
        **_NEWER,
        mistakes=frozenset(
            {
                "int_keeps_dim",
                "list_as_tuple",
                "advanced_outer",
                "mask_keeps_shape",
                "none_at_end",
                "last_index_is_size",
                "ellipsis_one_dim",
            }
        ),
    ),
    "matmul": Contract(
        10,
        SHAPE,
        frozenset({SHAPE}),
        **_NEWER,
        mistakes=frozenset(
            {
                "inner_ignored",
                "outer_swapped",
                "batch_not_broadcast",
                "batch_must_match",
                "mm_broadcasts",
                "bmm_broadcasts",
                "vector_dim_kept",
                "outer_product",
            }
        ),
    ),
    "cat_stack": Contract(11, SHAPE, frozenset({SHAPE}), **_NEWER),
    "aliasing": Contract(
        12,
        VALUES,
        frozenset({VALUES}),
        **{**_NEWER, "variants": (4, 4)},
        errors=False,
        values=flag_pair,
        three_choices=1.0,
        not_true_false=1.0,
    ),
    "autograd": Contract(
        13,
        VALUES,
        frozenset({VALUES, BOOL}),
        **{**_NEWER, "variants": (1, 3)},
        bool_variants=(1, 3),
        values=floats_or_flag_pair,
        true_false=True,
        not_true_false=0.6,
    ),
    "dataloader": Contract(14, INT, frozenset({INT, SHAPE}), **_NEWER, errors=False),
    "nn_layers": Contract(15, SHAPE, frozenset({INT, SHAPE}), **_NEWER),
    "selection": Contract(16, VALUES, frozenset({VALUES, SHAPE}), **_NEWER, errors=False),
    "numerics": Contract(
        17, VALUES, frozenset({VALUES}), **{**_NEWER, "variants": (1, 3)}, errors=False, values=any_json
    ),
    "strides": Contract(18, SHAPE, frozenset({SHAPE, VALUES}), **{**_NEWER, "variants": (1, 4)}),
    "truthiness": Contract(19, VALUES, frozenset({VALUES}), **{**_NEWER, "variants": (1, 3)}, values=any_json),
    "gather_scatter": Contract(20, VALUES, frozenset({VALUES, SHAPE}), **{**_NEWER, "variants": (0, 2)}),
    "einsum": Contract(21, SHAPE, frozenset({SHAPE, VALUES}), **{**_NEWER, "variants": (1, 4)}, values=any_json),
    "losses": Contract(22, SHAPE, frozenset({SHAPE, VALUES}), **{**_NEWER, "variants": (1, 3)}, values=any_json),
    "train_eval": Contract(23, VALUES, frozenset({VALUES, SHAPE}), **{**_NEWER, "variants": (1, 4)}),
    "layers": Contract(24, SHAPE, frozenset({SHAPE}), **{**_NEWER, "variants": (0, 4)}),
}


def well_formed(text: str, kind: str, contract: Contract) -> bool:
    """Is ``text`` a canonical answer of ``kind`` (DESIGN.md) that ``contract`` allows?"""
    if ERROR_RE.fullmatch(text):
        return contract.errors
    if kind not in contract.kinds:
        return False
    if kind == AnswerKind.SHAPE:
        return bool(SHAPE_RE.fullmatch(text))
    if kind == AnswerKind.DTYPE:
        return bool(DTYPE_RE.fullmatch(text))
    if kind == AnswerKind.INT:
        return bool(INT_RE.fullmatch(text))
    if kind == AnswerKind.BOOL:
        return text in ("True", "False")
    if kind == AnswerKind.VALUES:
        value = json.loads(text)
        return contract.values(value) and json.dumps(value) == text
    raise AssertionError(f"no canonical form known for {kind!r}")


class Built(NamedTuple):
    """One seed of a family: its draft, its question (or why it has none) and the main snippet's reply."""

    draft: Draft
    question: Question | QuestionError
    main: Reply


@contextmanager
def like_the_kernel() -> Iterator[None]:
    """Run snippets on one thread, as the kernel does (a thread pool on a busy machine makes
    each tiny conv take ~30 ms instead of ~0.2 ms), and let autograd questions read the .grad
    of a non-leaf, which they do on purpose, without torch's warning."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The .grad attribute of a Tensor that is not a leaf")
            yield
    finally:
        torch.set_num_threads(before)


def on_a_fresh_thread(work: Callable[[], T]) -> T:
    """work(), on a new thread, whose stack is short: torch.manual_seed formats its caller's
    stack (to seed CUDA lazily), and under pytest that stack is deep enough to make the
    snippets that seed themselves about three times slower."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def build(family: Family, seed: int, runner: Runner) -> Built:
    mains: list[Reply] = []

    def recording(codes: list[str]) -> list[Reply]:
        replies = runner(codes)
        mains.append(replies[0])
        return replies

    try:
        question: Question | QuestionError = assemble(family, seed, recording)
    except QuestionError as exc:
        question = exc
    return Built(family.build(random.Random(seed)), question, mains[0])


_built: dict[str, dict[int, Built]] = {}


def built(family: Family, runner: Runner) -> dict[int, Built]:
    """seed -> Built, over the family's contract seeds; built once per session."""
    if family.name not in _built:
        seeds = CONTRACTS[family.name].seeds
        with like_the_kernel():
            _built[family.name] = on_a_fresh_thread(lambda: {seed: build(family, seed, runner) for seed in seeds})
    return _built[family.name]
