"""Compare what the learner typed with the right answer. Pure: no I/O.

Flashcards compare text as Anki's "type in the answer" does, a little more
forgiving: surrounding whitespace, repeated spaces, backticks and letter case
don't matter. The character diff is what the review screen shows.

Generated questions read the typed answer as its kind first (``parse_answer``:
"2x3" is the shape "(2, 3)", "long" the dtype "torch.int64", "sí" the bool
"True"), then compare canonical forms (``check_answer``), with a one-line hint
for near misses.
"""

from __future__ import annotations

import builtins
import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from quizapp.domain import AnswerKind


class Mark(Enum):
    """How a stretch of text compares."""

    SAME = "same"  # typed and right
    WRONG = "wrong"  # typed, but not in the answer
    MISSING = "missing"  # in the answer, not typed


@dataclass(frozen=True)
class Verdict:
    correct: bool
    #: The typed text, split into SAME and WRONG stretches.
    typed: list[tuple[str, Mark]]
    #: The right answer, split into SAME and MISSING stretches.
    expected: list[tuple[str, Mark]]
    #: A specific hint for a near miss, or "".
    hint: str = ""


def normalize(text: str) -> str:
    """The form two answers are compared in."""
    text = unicodedata.normalize("NFC", text).replace("`", "")
    return " ".join(text.split()).casefold()


def compare_text(typed: str, expected: str) -> Verdict:
    """Compare free text; the diff is computed on the text as written."""
    typed_clean = " ".join(typed.split())
    expected_clean = " ".join(expected.replace("`", "").split())
    typed_marks, expected_marks = char_diff(typed_clean, expected_clean)
    return Verdict(same_text(typed, expected), typed_marks, expected_marks)


def char_diff(typed: str, expected: str) -> tuple[list[tuple[str, Mark]], list[tuple[str, Mark]]]:
    """Anki-style comparison: which typed characters are wrong, which
    characters of the answer are missing."""
    matcher = difflib.SequenceMatcher(None, typed.casefold(), expected.casefold(), autojunk=False)
    typed_marks: list[tuple[str, Mark]] = []
    expected_marks: list[tuple[str, Mark]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            typed_marks.append((typed[a0:a1], Mark.SAME))
            expected_marks.append((expected[b0:b1], Mark.SAME))
            continue
        if a1 > a0:
            typed_marks.append((typed[a0:a1], Mark.WRONG))
        if b1 > b0:
            expected_marks.append((expected[b0:b1], Mark.MISSING))
    return typed_marks, expected_marks


# ---------------------------------------------------------------------------
# Generated questions: typed answers read as their kind, then compared.
#
# Canonical strings by kind (DESIGN.md, "Command line"): shape "(4, 3, 2)",
# "(5,)", "()"; dtype "torch.float32"; bool "True"; int "7"; float
# repr(round(x, 4)); values JSON of the nested list, floats rounded to 4
# places; error the exception class name; text free. An exception is the
# answer of any kind when the snippet raises.
#
# Choices made here:
#
# * Bare dtype names follow torch's aliases, not Python's builtins: "int" and
#   "torch.int" are torch.int32, "float" and "torch.float" torch.float32.
#   (Python's int and float as ``dtype=`` give int64 and float64; the hint
#   says so when that is the mix-up.) "long"/"int64" are torch.int64.
# * A generic "error"/"excepción"/"an exception" reads as the special
#   canonical "Error": "it raises something". It is right whenever the
#   snippet raises; the hint then names the class. Naming a superclass
#   (LookupError for IndexError, Exception) is right too, as ``except``
#   would catch it. "error de ejecución" is generic, while "runtime error"
#   and "error en tiempo de ejecución" name RuntimeError.
# * Numbers (float and values) match within 1e-4, absolute only: a relative
#   tolerance would hide float32's precision, which questions may be about.
#   An int and a float with the same value match ("14" is "14.0"), and so
#   do True/False and 1/0.
# * The character diff of a right answer is all "same", however it was
#   spelled ("2x3" for "(2, 3)"); a wrong answer is diffed as typed against
#   the right canonical string.
# ---------------------------------------------------------------------------

# The answer kinds, short names for this module's tables.
SHAPE, DTYPE, BOOL, INT, FLOAT, VALUES, ERROR, TEXT, OUTPUT = (
    AnswerKind.SHAPE, AnswerKind.DTYPE, AnswerKind.BOOL, AnswerKind.INT, AnswerKind.FLOAT,
    AnswerKind.VALUES, AnswerKind.ERROR, AnswerKind.TEXT, AnswerKind.OUTPUT,
)  # fmt: skip

GENERIC_ERROR = "Error"
"""Canonical form of an answer that says "it raises" without naming a class."""

TOLERANCE = 1e-4
"""Largest absolute difference between two numbers that still match."""

_EPS = 1e-9  # float noise on top of TOLERANCE (0.3 - 0.2 is not 0.1)


def parse_answer(kind: str, text: str) -> str | None:
    """The learner's typed ``text`` in the canonical form of ``kind``, or
    None when it can't be read as that kind.

    Any kind but text also reads an exception ("error", "IndexError",
    "lanza un error"): the answer when the snippet raises. Unknown kinds are
    read as text.
    """
    if kind == TEXT or kind not in _PARSERS:
        return normalize(text)
    value = _PARSERS[kind](text)
    if value is None and kind != ERROR:
        value = _parse_error(text)
    return value


_SIZE_ANSWER = re.compile(r"^\s*(?:torch\.)?Size\(\s*[\[(]", re.IGNORECASE)


def infer_kind(answer: str) -> str:
    """How to compare a flashcard's typed answer: as a dtype or a shape when
    it is written as one in canonical form (or as ``torch.Size([2, 3])``,
    which is the shape (2, 3)), else as text."""
    for kind in (DTYPE, SHAPE):
        if parse_answer(kind, answer) == answer.strip():
            return kind
    if _SIZE_ANSWER.match(answer) and _parse_shape(answer) is not None:
        return SHAPE
    return TEXT


#: A name in code: ``torch.empty``, ``torch.ones_like()``, ``x.view``.
_CODE_NAME = re.compile(r"[a-z_][\w]*(?:\.[a-z_]\w*)*(?:\(\))?")


def _name_key(text: str) -> str:
    """How a name in code compares: "torch.empty", "empty" and "empty()" are
    the same name (as "float32" is torch.float32); other text as it is."""
    s = normalize(text)
    if not _CODE_NAME.fullmatch(s):
        return s
    return s.removesuffix("()").removeprefix("torch.")


def same_text(typed: str, expected: str) -> bool:
    """Free text compares normalized (case, spaces, backticks); a name in
    code may leave out ``torch.`` and a call's empty parentheses."""
    return _name_key(typed) == _name_key(expected)


def check_answer(kind: str, typed: str, correct: str, *, lang: str = "es") -> Verdict:
    """Is ``typed`` the answer ``correct`` (a canonical string of ``kind``)?

    The verdict carries the character diff of the typed text against
    ``correct`` and, for a near miss, a one-line hint in ``lang`` ("es" or
    "en"; anything else is English).
    """
    lang = "es" if lang.casefold().startswith("es") else "en"
    correct = correct.strip()
    raised = _raised(kind, correct)
    if raised is not None:
        ok, hint = _check_error(typed, raised, lang)
    elif kind == ERROR:  # an error question whose snippet doesn't raise
        ok = normalize(typed) == normalize(correct)
        hint = _hint("no_raise", lang) if not ok and _parse_error(typed) is not None else ""
    elif kind == TEXT or kind not in _PARSERS:
        ok, hint = same_text(typed, correct), ""
    else:
        ok, hint = _check_kind(kind, typed, correct, lang)
    typed_clean = " ".join(typed.split())
    if ok:
        typed_marks = [(typed_clean, Mark.SAME)] if typed_clean else []
        expected_marks = [(correct, Mark.SAME)] if correct else []
    else:
        typed_marks, expected_marks = char_diff(typed_clean, correct)
    return Verdict(ok, typed_marks, expected_marks, hint)


# -- hints ---------------------------------------------------------------------

_HINTS: dict[str, dict[str, str]] = {
    "unreadable": {
        "en": "couldn't read this as {what} (e.g. {example})",
        "es": "no se puede leer como {what} (p. ej. {example})",
    },
    "raises": {"en": "it raises {error}", "es": "lanza {error}"},
    "raises_other": {"en": "it raises, but {error}", "es": "lanza un error, pero {error}"},
    "raises_yes": {"en": "yes: {error}", "es": "sí: {error}"},
    "raises_precisely": {"en": "yes; more precisely {error}", "es": "sí; en concreto {error}"},
    "no_raise": {"en": "it doesn't raise", "es": "no lanza ningún error"},
    "shape_order": {"en": "right dimensions, wrong order", "es": "dimensiones correctas, en otro orden"},
    "shape_extra": {"en": "one dimension too many", "es": "una dimensión de más"},
    "shape_missing": {"en": "one dimension too few", "es": "una dimensión de menos"},
    "shape_rank": {
        "en": "{expected} dimensions, not {got}",
        "es": "{expected} dimensiones, no {got}",
    },
    "shape_numel": {
        "en": "right number of elements, wrong shape",
        "es": "número de elementos correcto, forma equivocada",
    },
    "dtype_width": {"en": "right kind, wrong width: {note}", "es": "tipo correcto, ancho equivocado: {note}"},
    "dtype_default_float": {"en": "float32 is the default float", "es": "float32 es el float por defecto"},
    "dtype_default_int": {"en": "int64 is the default integer", "es": "int64 es el entero por defecto"},
    "dtype_it_is": {"en": "it's {dtype}", "es": "es {dtype}"},
    "dtype_int_alias": {
        "en": "`int` is torch.int32 as an alias, but Python's int (dtype=int) and integer literals give torch.int64",
        "es": "`int` es torch.int32 como alias, pero el int de Python (dtype=int) y los literales enteros dan torch.int64",
    },
    "dtype_float_alias": {
        "en": "`float` is torch.float32 as an alias, but Python's float (dtype=float) gives torch.float64",
        "es": "`float` es torch.float32 como alias, pero el float de Python (dtype=float) da torch.float64",
    },
    "dtype_format": {
        "en": "right width, another format: {dtype}",
        "es": "ancho correcto, otro formato: {dtype}",
    },
    "dtype_sign": {"en": "signed vs unsigned: {dtype}", "es": "con signo o sin signo: {dtype}"},
    "off_by_one": {"en": "off by one", "es": "te desvías en uno"},
    "sign": {"en": "wrong sign", "es": "signo equivocado"},
    "round": {"en": "round to 4 decimals", "es": "redondea a 4 decimales"},
    "values_reshaped": {
        "en": "right numbers, wrong shape: {shape}",
        "es": "números correctos, forma equivocada: {shape}",
    },
    "values_shape": {"en": "shape {expected}, not {got}", "es": "forma {expected}, no {got}"},
    "values_transposed": {"en": "right values, transposed", "es": "valores correctos, pero traspuestos"},
    "values_order": {"en": "right numbers, in another order", "es": "números correctos, en otro orden"},
}

#: The words around the feedback on an answer. Like the hints, they follow
#: the card's language (its deck's), not the interface's: a Spanish card is
#: answered and explained in Spanish whatever language the menus are in.
FEEDBACK: dict[str, dict[str, str]] = {
    "correct": {"en": "✓ Correct", "es": "✓ Correcto"},
    "wrong": {"en": "✗ Not quite", "es": "✗ No exactamente"},
    "yours": {"en": "Yours:", "es": "Tu respuesta:"},
    "answer": {"en": "Answer:", "es": "Respuesta:"},
    "mistake": {"en": "A common mistake:", "es": "Un error frecuente:"},
    "rule": {"en": "Rule:", "es": "Regla:"},
    "printed": {"en": "torch printed:", "es": "torch mostró:"},
}


def feedback_word(key: str, lang: str) -> str:
    """One of ``FEEDBACK``'s words in ``lang`` ("es", else English)."""
    return FEEDBACK[key]["es" if lang.casefold().startswith("es") else "en"]


# Tables by the kind's string (AnswerKind is a StrEnum: a plain "shape" finds SHAPE).
_KIND_NAMES: dict[str, tuple[dict[str, str], str]] = {
    SHAPE: ({"en": "a shape", "es": "forma"}, "(2, 3)"),
    DTYPE: ({"en": "a dtype", "es": "dtype"}, "torch.float32"),
    BOOL: ({"en": "yes/no", "es": "sí/no"}, "True"),
    INT: ({"en": "an integer", "es": "entero"}, "7"),
    FLOAT: ({"en": "a number", "es": "número"}, "0.25"),
    VALUES: ({"en": "values", "es": "valores"}, "[1.0, 2.0]"),
}


def _hint(key: str, lang: str, **fields: object) -> str:
    return _HINTS[key][lang].format(**fields)


# -- checking --------------------------------------------------------------------


def _raised(kind: str, correct: str) -> str | None:
    """The exception class ``correct`` names when the snippet raises."""
    name = _exception_name(correct)
    if name is None:
        return None
    if kind in (ERROR, TEXT) or kind not in _PARSERS:
        return name
    # "True" or "(2, 3)" can't be class names, but keep the kind's reading first.
    return name if _PARSERS[kind](correct) is None else None


def _check_error(typed: str, raised: str, lang: str) -> tuple[bool, str]:
    said = _parse_error(typed)
    if said is None:
        return False, _hint("raises", lang, error=raised)
    if said == GENERIC_ERROR:
        return True, _hint("raises_yes", lang, error=raised)
    if _error_key(said) == _error_key(raised):
        return True, ""
    if _is_subclass(raised, said):
        return True, _hint("raises_precisely", lang, error=raised)
    return False, _hint("raises_other", lang, error=raised)


def _check_kind(kind: str, typed: str, correct: str, lang: str) -> tuple[bool, str]:
    parse = _PARSERS[kind]
    expected = parse(correct)
    if expected is None:  # not a canonical string of this kind: compare as text
        return normalize(typed) == normalize(correct), ""
    got = parse(typed)
    if got is None:
        if _parse_error(typed) is not None:
            return False, _hint("no_raise", lang)
        what, example = _KIND_NAMES[kind]
        return False, _hint("unreadable", lang, what=what[lang], example=example)
    return _COMPARERS[kind](got, expected, typed, lang)


def _compare_shape(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    g, e = _shape_dims(got), _shape_dims(expected)
    if g == e:
        return True, ""
    if sorted(g) == sorted(e):
        return False, _hint("shape_order", lang)
    if len(g) == len(e) + 1:
        return False, _hint("shape_extra", lang)
    if len(g) == len(e) - 1:
        return False, _hint("shape_missing", lang)
    if len(g) != len(e):
        return False, _hint("shape_rank", lang, expected=len(e), got=len(g))
    if math.prod(g) == math.prod(e):
        return False, _hint("shape_numel", lang)
    return False, ""


def _compare_dtype(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    if got == expected:
        return True, ""
    alias = _dtype_key(typed)
    if alias == "int" and expected == "torch.int64":
        return False, _hint("dtype_int_alias", lang)
    if alias == "float" and expected == "torch.float64":
        return False, _hint("dtype_float_alias", lang)
    g, e = _dtype_family(got), _dtype_family(expected)
    if g[0] is None or g[0] != e[0]:
        return False, ""
    if g[1] == e[1]:
        key = "dtype_sign" if g[0] == "int" else "dtype_format"
        return False, _hint(key, lang, dtype=expected)
    if expected == "torch.float32":
        note = _hint("dtype_default_float", lang)
    elif expected == "torch.int64":
        note = _hint("dtype_default_int", lang)
    else:
        note = _hint("dtype_it_is", lang, dtype=expected)
    return False, _hint("dtype_width", lang, note=note)


def _compare_bool(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    return got == expected, ""


def _compare_int(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    g, e = int(got), int(expected)
    if g == e:
        return True, ""
    if g == -e:
        return False, _hint("sign", lang)
    if abs(g - e) == 1:
        return False, _hint("off_by_one", lang)
    return False, ""


def _compare_float(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    g, e = float(got), float(expected)
    if _close(g, e):
        return True, ""
    if _rounded_early(g, e):
        return False, _hint("round", lang)
    if _close(g, -e):
        return False, _hint("sign", lang)
    return False, ""


def _compare_values(got: str, expected: str, typed: str, lang: str) -> tuple[bool, str]:
    g, e = _values_tree(got), _values_tree(expected)
    if _tree_close(g, e):
        return True, ""
    g_shape, e_shape = _tree_shape(g), _tree_shape(e)
    g_flat, e_flat = _flatten(g), _flatten(e)
    if g_shape != e_shape:
        if len(g_flat) == len(e_flat) and all(map(_leaf_close, g_flat, e_flat)):
            return False, _hint("values_reshaped", lang, shape=_format_dims(e_shape))
        if g_shape is not None and e_shape is not None:
            return False, _hint("values_shape", lang, expected=_format_dims(e_shape), got=_format_dims(g_shape))
        return False, ""
    if e_shape is not None and len(e_shape) == 2 and _tree_close(g, _transpose(e)):
        return False, _hint("values_transposed", lang)
    if len(g_flat) == len(e_flat) and all(
        map(_leaf_close, sorted(g_flat, key=_sort_key), sorted(e_flat, key=_sort_key))
    ):
        return False, _hint("values_order", lang)
    if len(g_flat) == len(e_flat) and all(
        _leaf_close(a, b) or _rounded_early(float(a), float(b)) for a, b in zip(g_flat, e_flat)
    ):
        return False, _hint("round", lang)
    return False, ""


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= TOLERANCE + _EPS


def _rounded_early(got: float, expected: float) -> bool:
    """``got`` is ``expected`` rounded to 1-3 decimals (not 4)."""
    if not (math.isfinite(got) and math.isfinite(expected)):
        return False
    return any(abs(round(expected, d) - got) <= _EPS for d in (1, 2, 3))


# -- shapes ----------------------------------------------------------------------

_SCALAR_WORDS = frozenset({"escalar", "un escalar", "scalar", "a scalar", "0-d", "0d", "0-dim", "0 dim"})
_SHAPE_PREFIX = re.compile(r"^(?:torch\.)?(?:size|shape|forma)\s*[:=]?\s*")
_SHAPE_TIMES = re.compile(r"\s*(?:[x×*]|\bby\b|\bpor\b)\s*")
_SHAPE_SEP = re.compile(r"\s*,\s*|\s+")
_SHAPE_DANGLING = re.compile(r"^(?:[x×*]|by\b|por\b)|(?:[x×*]|\bby|\bpor)$")  # "2x", "x3"
_PAIRS = {"(": ")", "[": "]"}


def _parse_shape(text: str) -> str | None:
    s = normalize(text).rstrip(".")
    if not s or _SHAPE_DANGLING.search(s):
        return None
    if s in _SCALAR_WORDS:
        return "()"
    for _ in range(3):
        s = _SHAPE_PREFIX.sub("", s, count=1).strip()
        if len(s) >= 2 and _PAIRS.get(s[0]) == s[-1]:
            s = s[1:-1].strip()
    if not s:
        return "()"
    parts = _SHAPE_SEP.split(_SHAPE_TIMES.sub(",", s))
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 20 for p in parts):
        return None
    return _format_dims([int(p) for p in parts])


def _format_dims(dims) -> str:
    dims = [int(d) for d in dims]
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "(" + ", ".join(map(str, dims)) + ")"


def _shape_dims(canonical: str) -> tuple[int, ...]:
    inner = canonical.strip("()").rstrip(",")
    return tuple(int(d) for d in inner.split(",")) if inner else ()


# -- dtypes ----------------------------------------------------------------------

#: Every dtype name torch has, with the aliases torch itself defines
#: (torch.float, torch.double, torch.half, torch.cfloat, torch.cdouble,
#: torch.chalf, torch.long, torch.int, torch.short, torch.bit).
_TORCH_DTYPES: dict[str, str] = {
    **{
        name: name
        for name in [
            "float16",
            "bfloat16",
            "float32",
            "float64",
            "complex32",
            "complex64",
            "complex128",
            "bool",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "int8",
            "int16",
            "int32",
            "int64",
            "qint8",
            "quint8",
            "qint32",
            "quint4x2",
            "quint2x4",
            "float8_e4m3fn",
            "float8_e4m3fnuz",
            "float8_e5m2",
            "float8_e5m2fnuz",
            "float8_e8m0fnu",
            "float4_e2m1fn_x2",
            "bits1x8",
            "bits2x4",
            "bits4x2",
            "bits8",
            "bits16",
        ]
    },
    **{f"uint{n}": f"uint{n}" for n in range(1, 8)},
    **{f"int{n}": f"int{n}" for n in range(1, 8)},
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "cfloat": "complex64",
    "cdouble": "complex128",
    "chalf": "complex32",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "bit": "uint1",
}

#: Other spellings learners use: tensor methods (.byte(), .char()), short
#: forms, words, the legacy tensor types.
_DTYPE_SPELLINGS: dict[str, str] = {
    "byte": "uint8",
    "char": "int8",
    "boolean": "bool",
    "booleano": "bool",
    "bool_": "bool",
    "single": "float32",
    "complex": "complex64",  # the default complex dtype, as "float" is float32
    **{f"f{n}": f"float{n}" for n in (16, 32, 64)},
    **{f"fp{n}": f"float{n}" for n in (16, 32, 64)},
    "bf16": "bfloat16",
    **{f"i{n}": f"int{n}" for n in (8, 16, 32, 64)},
    **{f"u{n}": f"uint{n}" for n in (8, 16, 32, 64)},
    "c64": "complex64",
    "c128": "complex128",
    "floattensor": "float32",
    "doubletensor": "float64",
    "halftensor": "float16",
    "bfloat16tensor": "bfloat16",
    "longtensor": "int64",
    "inttensor": "int32",
    "shorttensor": "int16",
    "chartensor": "int8",
    "bytetensor": "uint8",
    "booltensor": "bool",
}

_DTYPE_PREFIX = re.compile(r"^(?:dtype\s*[:=]?\s*)?(?:torch\.(?:cuda\.)?|numpy\.|np\.)?")
_DTYPE_SPACED = re.compile(r"^(u?int|float|complex|bfloat)[\s_-]+(\d+)$")


def _dtype_key(text: str) -> str:
    """The dtype name typed, without "torch." and quotes: "int" for "torch.int"."""
    s = normalize(text).strip("'\"").rstrip(".")
    s = _DTYPE_PREFIX.sub("", s, count=1).strip("'\"")
    return _DTYPE_SPACED.sub(r"\1\2", s)


def _parse_dtype(text: str) -> str | None:
    key = _dtype_key(text)
    name = _TORCH_DTYPES.get(key) or _DTYPE_SPELLINGS.get(key)
    return f"torch.{name}" if name else None


def _dtype_family(canonical: str) -> tuple[str | None, int | None]:
    """("float", 32) for torch.float32; the kind of number and its width."""
    name = canonical.removeprefix("torch.")
    if name == "bool":
        return "bool", 8
    match = re.fullmatch(r"(b?float|complex|u?int)(\d+)", name)
    if not match:
        return None, None
    base, width = match.groups()
    family = {"bfloat": "float", "uint": "int"}.get(base, base)
    return family, int(width)


# -- bools and numbers -----------------------------------------------------------

_TRUE = frozenset({"true", "sí", "si", "yes", "y", "s", "verdadero", "verdad", "cierto", "1"})
_FALSE = frozenset({"false", "no", "n", "falso", "0"})
_WRAPPER = re.compile(r"^(?:torch\.)?(?:tensor|array)\((.*)\)$")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
_SPECIAL = {"nan": math.nan, "+nan": math.nan, "-nan": math.nan, "inf": math.inf, "+inf": math.inf,
            "-inf": -math.inf, "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf,
            "∞": math.inf, "-∞": -math.inf}  # fmt: skip


def _scalar_text(text: str) -> str:
    """Lowercased, without "tensor(...)" around it or a final period."""
    s = normalize(text).strip().strip("'\"")
    s = re.sub(r",\s*(?:dtype|requires_grad|grad_fn|device)\s*=.*\)$", ")", s)
    match = _WRAPPER.match(s)
    if match:
        s = match.group(1).strip()
    if s.endswith(".") and not _NUMBER.fullmatch(s):
        s = s[:-1].strip()
    return s.strip("!¡").strip()


def _parse_bool(text: str) -> str | None:
    s = _scalar_text(text)
    if s in _TRUE:
        return "True"
    if s in _FALSE:
        return "False"
    return None


def _number(text: str) -> int | float | None:
    """A number as typed: "+7", "7.0", "1e-3", "0,5" (decimal comma), "1/3",
    "nan", "-inf", "tensor(2.5)"."""
    s = re.sub(r"\s*/\s*", "/", _scalar_text(text))
    if s in _SPECIAL:
        return _SPECIAL[s]
    if re.fullmatch(r"[+-]?\d+,\d+", s):  # 0,5: a Spanish decimal comma
        s = s.replace(",", ".")
    try:
        if _NUMBER.fullmatch(s):
            return float(s) if any(c in s for c in ".e") else int(s)
        top, slash, bottom = s.partition("/")
        if slash and _NUMBER.fullmatch(top) and _NUMBER.fullmatch(bottom) and float(bottom) != 0:
            return float(top) / float(bottom)
    except (ValueError, OverflowError):  # more digits than int() takes
        pass
    return None


def _parse_int(text: str) -> str | None:
    n = _number(text)
    if isinstance(n, float) and not (math.isfinite(n) and n.is_integer()):
        return None
    return None if n is None else str(int(n))


def _parse_float(text: str) -> str | None:
    n = _number(text)
    if n is None:
        return None
    try:
        return repr(round(float(n), 4))
    except OverflowError:
        return None


# -- values ----------------------------------------------------------------------

_MAX_DEPTH = 32
_KWARGS = re.compile(r",\s*(?:dtype|requires_grad|grad_fn|device)\s*=\s*(?:<[^>]*>|[^,()\[\]]*)")
_TOKEN = re.compile(
    r"\s*(?:(?P<open>(?:tensor|array)\(|\[|\()|(?P<close>[\])])|(?P<comma>,)"
    r"|(?P<word>true|false|[+-]?(?:nan|inf(?:inity)?))"
    r"|(?P<number>[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?))"
)


_BLANK = re.compile(r"\s*\Z")


class _Unreadable(Exception):
    pass


def _parse_values(text: str) -> str | None:
    tree = _values_tree(text)
    return None if tree is None else json.dumps(_canonical_tree(tree))


def _values_tree(text: str):
    """Nested lists of int, float and bool leaves (nan and inf as floats)."""
    s = normalize(text).replace("'", "").replace('"', "")
    s = re.sub(r"\b(?:torch|numpy|np)\.", "", s)
    s = _KWARGS.sub("", s)
    tokens = _tokens(s)
    if tokens is None:
        return None
    try:
        items, pos = _items(tokens, 0, None, 0)
    except (_Unreadable, IndexError):
        return None
    if pos != len(tokens) or not items[0]:
        return None
    values = items[0]
    return values[0] if len(values) == 1 else values


def _tokens(s: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while not _BLANK.match(s, pos):
        match = _TOKEN.match(s, pos)
        if not match:
            return None
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _items(tokens, pos: int, close: str | None, depth: int) -> tuple[tuple[list, bool], int]:
    """Values up to ``close`` (or the end): (values, whether a comma was seen)."""
    if depth > _MAX_DEPTH:
        raise _Unreadable
    values: list = []
    comma = False
    after_comma = True  # two commas in a row, or a leading comma, are errors
    while pos < len(tokens):
        kind, tok = tokens[pos]
        if kind == "close":
            if tok != close:
                raise _Unreadable
            return (values, comma), pos + 1
        if kind == "comma":
            if after_comma:
                raise _Unreadable
            comma, after_comma = True, True
            pos += 1
            continue
        value, pos = _value(tokens, pos, depth)
        values.append(value)
        after_comma = False
    if close is not None:
        raise _Unreadable
    return (values, comma), pos


def _value(tokens, pos: int, depth: int):
    kind, tok = tokens[pos]
    if kind == "number":
        try:
            return (float(tok) if any(c in tok for c in ".e") else int(tok)), pos + 1
        except ValueError:  # more digits than int() takes
            raise _Unreadable from None
    if kind == "word":
        if tok in ("true", "false"):
            return tok == "true", pos + 1
        return _SPECIAL[tok], pos + 1
    if kind == "open":
        close = "]" if tok == "[" else ")"
        (values, comma), pos = _items(tokens, pos + 1, close, depth + 1)
        if tok == "[":
            return values, pos
        if len(values) == 1 and (tok != "(" or not comma):  # tensor(x), or (x) grouping
            return values[0], pos
        if tok != "(":  # tensor(1, 2) isn't a tensor
            raise _Unreadable
        return values, pos
    raise _Unreadable


def _canonical_tree(tree):
    if isinstance(tree, list):
        return [_canonical_tree(t) for t in tree]
    if isinstance(tree, float):
        if math.isnan(tree):
            return "nan"
        if math.isinf(tree):
            return "inf" if tree > 0 else "-inf"
        return round(tree, 4)
    return tree


def _leaf_close(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return False
    return _close(float(a), float(b))


def _tree_close(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_tree_close, a, b))
    return _leaf_close(a, b)


def _tree_shape(tree) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list, None if ragged."""
    if not isinstance(tree, list):
        return ()
    shapes = {_tree_shape(t) for t in tree}
    if len(shapes) > 1:
        return None
    inner = shapes.pop() if shapes else ()
    if inner is None:  # a ragged child
        return None
    return (len(tree),) + inner


def _flatten(tree) -> list:
    if isinstance(tree, list):
        return [leaf for t in tree for leaf in _flatten(t)]
    return [tree]


def _transpose(tree: list) -> list:
    return [list(row) for row in zip(*tree)]


def _sort_key(leaf) -> tuple[int, float]:
    x = float(leaf)
    return (1, 0.0) if math.isnan(x) else (0, x)


# -- errors ----------------------------------------------------------------------

#: Exception classes a learner may name: Python's, and torch's own
#: (kernel error types are ``type(e).__name__``: torch.linalg.LinAlgError is
#: "_LinAlgError"). Each torch one maps to its builtin base.
_TORCH_ERRORS = {"LinAlgError": "RuntimeError", "OutOfMemoryError": "RuntimeError",
                 "DeferredCudaCallError": "Exception"}  # fmt: skip
_BUILTIN_ERRORS = {
    name: obj
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException) and not issubclass(obj, Warning)
}
_KNOWN_ERRORS = {name.casefold(): name for name in [*_BUILTIN_ERRORS, *_TORCH_ERRORS]}
_GENERIC_CLASSES = frozenset({"exception", "baseexception"})

#: Words for the common classes, Spanish mostly.
_ERROR_PHRASES = {
    "error en tiempo de ejecución": "RuntimeError",
    "error en tiempo de ejecucion": "RuntimeError",
    "error de índice": "IndexError",
    "error de indice": "IndexError",
    "error de tipo": "TypeError",
    "error de valor": "ValueError",
    "error de atributo": "AttributeError",
    "error de clave": "KeyError",
    "error de nombre": "NameError",
    "error de memoria": "MemoryError",
    "división por cero": "ZeroDivisionError",
    "división entre cero": "ZeroDivisionError",
    "division por cero": "ZeroDivisionError",
    "division entre cero": "ZeroDivisionError",
    "no implementado": "NotImplementedError",
    "fuera de rango": "IndexError",
    "out of range": "IndexError",
    "division by zero": "ZeroDivisionError",
}
_NEGATION = re.compile(
    r"\b(?:no|not|doesn'?t|does not|don'?t|never|nunca|ningún|ninguna|ninguno|ningun|sin|none|nothing|nada)\b"
)
_GENERIC_WORDS = re.compile(
    r"\b(?:errors?|errores|excepci[oó]n|excepciones|exceptions?|fallas?|fails?|failure|"
    r"lanzas?|raises?|throws?|crash(?:es)?|peta|revienta)\b"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][\w.]*")


def _exception_name(text: str) -> str | None:
    """The class a canonical error string names ("RuntimeError"), else None."""
    s = text.strip()
    if not _IDENTIFIER.fullmatch(s):
        return None
    bare = s.rsplit(".", 1)[-1].lstrip("_")
    if bare.casefold() in _KNOWN_ERRORS or re.fullmatch(r"[A-Z]\w*(?:Error|Exception|Exit|Interrupt)", bare):
        return s
    return None


def _error_key(name: str) -> str:
    return name.rsplit(".", 1)[-1].lstrip("_").casefold()


def _parse_error(text: str) -> str | None:
    """The exception a learner names: a class name ("IndexError", "index
    error", "error de índice") or GENERIC_ERROR ("error", "lanza una
    excepción"); None for anything else, "no error" included."""
    s = normalize(text).strip(" .!¡")
    if not s:
        return None
    # A class named wins over any negation around it ("no, IndexError").
    for phrase, name in _ERROR_PHRASES.items():
        if phrase in s:
            return name
    words = [w.rsplit(".", 1)[-1].strip("._") for w in re.findall(r"[\w.]+", s)]
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            joined = "".join(words[i : i + size])
            if joined not in _GENERIC_CLASSES and joined in _KNOWN_ERRORS:
                return _KNOWN_ERRORS[joined]
    for word in words:
        if re.fullmatch(r"[a-z]\w*(?:error|exception)", word):
            # A class we don't list (a torch one): keep it as typed.
            original = re.search(re.escape(word), text, re.IGNORECASE)
            return original.group(0) if original else word
    if _NEGATION.search(s):  # "no error", "no lanza", "it doesn't raise"
        return None
    if _GENERIC_WORDS.search(s) or any(w in _GENERIC_CLASSES for w in words):
        return GENERIC_ERROR
    return None


def _is_subclass(child: str, parent: str) -> bool:
    """Would ``except parent`` catch ``child``? (Only classes we know.)"""
    child_name = _KNOWN_ERRORS.get(_error_key(child))
    parent_name = _KNOWN_ERRORS.get(_error_key(parent))
    if child_name is None or parent_name is None:
        return False
    child_name = _TORCH_ERRORS.get(child_name, child_name)
    if parent_name in _TORCH_ERRORS:
        return False
    return issubclass(_BUILTIN_ERRORS[child_name], _BUILTIN_ERRORS[parent_name])


_PARSERS: dict[str, Callable[[str], str | None]] = {
    SHAPE: _parse_shape,
    DTYPE: _parse_dtype,
    BOOL: _parse_bool,
    INT: _parse_int,
    FLOAT: _parse_float,
    VALUES: _parse_values,
    ERROR: _parse_error,
}

_COMPARERS: dict[str, Callable[[str, str, str, str], tuple[bool, str]]] = {
    SHAPE: _compare_shape,
    DTYPE: _compare_dtype,
    BOOL: _compare_bool,
    INT: _compare_int,
    FLOAT: _compare_float,
    VALUES: _compare_values,
}
