"""Typed answers: reading every spelling as its kind, and the near-miss hints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizapp.answers import (
    GENERIC_ERROR,
    Mark,
    Verdict,
    char_diff,
    check_answer,
    compare_text,
    normalize,
    parse_answer,
)
from quizapp.domain import AnswerKind

SHAPE, DTYPE, BOOL, INT, FLOAT, VALUES, ERROR, TEXT = (
    AnswerKind.SHAPE,
    AnswerKind.DTYPE,
    AnswerKind.BOOL,
    AnswerKind.INT,
    AnswerKind.FLOAT,
    AnswerKind.VALUES,
    AnswerKind.ERROR,
    AnswerKind.TEXT,
)


def hint(kind: str, typed: str, correct: str, lang: str = "en") -> str:
    return check_answer(kind, typed, correct, lang=lang).hint


def right(kind: str, typed: str, correct: str) -> bool:
    return check_answer(kind, typed, correct).correct


# -- the existing flashcard API is unchanged -------------------------------------


def test_flashcard_comparison_unchanged():
    assert normalize("  `Tensor`   VIEW ") == "tensor view"
    verdict = compare_text(" x.view(2,  3) ", "`x.view(2, 3)`")
    assert verdict.correct and verdict.hint == ""
    assert verdict.typed == [("x.view(2, 3)", Mark.SAME)]
    assert not compare_text("reshape", "view").correct
    typed, expected = char_diff("abc", "abd")
    assert typed == [("ab", Mark.SAME), ("c", Mark.WRONG)]
    assert expected == [("ab", Mark.SAME), ("d", Mark.MISSING)]


def test_kinds_match_answer_kind():
    from quizapp import answers

    assert tuple(AnswerKind) == (answers.SHAPE, answers.DTYPE, answers.BOOL, answers.INT, answers.FLOAT, answers.VALUES,
            answers.ERROR, answers.TEXT, answers.OUTPUT)  # fmt: skip


def test_answers_stays_pure():
    code = "import sys, quizapp.answers; print(sorted(m for m in ('torch', 'textual') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- parse_answer: shapes ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("(2, 3)", "(2, 3)"),
        ("(2,3)", "(2, 3)"),
        ("2,3", "(2, 3)"),
        ("2, 3", "(2, 3)"),
        ("2x3", "(2, 3)"),
        ("2X3", "(2, 3)"),
        ("2 x 3", "(2, 3)"),
        ("2×3", "(2, 3)"),
        ("2 × 3", "(2, 3)"),
        ("2*3", "(2, 3)"),
        ("2 por 3", "(2, 3)"),
        ("2 by 3", "(2, 3)"),
        ("2 3", "(2, 3)"),
        ("[2, 3]", "(2, 3)"),
        ("torch.Size([2, 3])", "(2, 3)"),
        ("Size([2,3])", "(2, 3)"),
        ("torch.size([2, 3])", "(2, 3)"),
        ("shape: (2, 3)", "(2, 3)"),
        ("forma (2, 3)", "(2, 3)"),
        ("(2, 3,)", "(2, 3)"),
        ("  ( 4 , 3 , 2 )  ", "(4, 3, 2)"),
        ("4x3x2", "(4, 3, 2)"),
        ("(5,)", "(5,)"),
        ("5,", "(5,)"),
        ("5", "(5,)"),
        ("(5)", "(5,)"),
        ("[5]", "(5,)"),
        ("torch.Size([5])", "(5,)"),
        ("()", "()"),
        ("[]", "()"),
        ("torch.Size([])", "()"),
        ("escalar", "()"),
        ("un escalar", "()"),
        ("scalar", "()"),
        ("a scalar", "()"),
        ("Scalar.", "()"),
        ("(1, 1)", "(1, 1)"),
        ("(0, 3)", "(0, 3)"),
    ],
)
def test_parse_shape(typed, canonical):
    assert parse_answer(SHAPE, typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "dos por tres",
        "(2, -3)",
        "(2.5, 3)",
        "(2,,3)",
        "(,2)",
        "[2, 3)",
        "2x",
        "x3",
        "2 por",
        "hello",
        "tensor",
        "x",
    ],
)
def test_unreadable_shape(typed):
    assert parse_answer(SHAPE, typed) is None


def test_a_shape_question_reads_an_error_too():
    assert parse_answer(SHAPE, "RuntimeError") == "RuntimeError"
    assert parse_answer(SHAPE, "error") == GENERIC_ERROR


# -- parse_answer: dtypes ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("torch.float32", "torch.float32"),
        ("float32", "torch.float32"),
        ("torch.float", "torch.float32"),
        ("float", "torch.float32"),
        ("Float32", "torch.float32"),
        ("f32", "torch.float32"),
        ("fp32", "torch.float32"),
        ("float 32", "torch.float32"),
        ("float-32", "torch.float32"),
        ("dtype=torch.float32", "torch.float32"),
        ("`torch.float32`", "torch.float32"),
        ("'float32'", "torch.float32"),
        ("torch.FloatTensor", "torch.float32"),
        ("torch.float64", "torch.float64"),
        ("double", "torch.float64"),
        ("torch.double", "torch.float64"),
        ("f64", "torch.float64"),
        ("half", "torch.float16"),
        ("torch.half", "torch.float16"),
        ("float16", "torch.float16"),
        ("fp16", "torch.float16"),
        ("bfloat16", "torch.bfloat16"),
        ("bf16", "torch.bfloat16"),
        ("int", "torch.int32"),
        ("torch.int", "torch.int32"),
        ("int32", "torch.int32"),
        ("long", "torch.int64"),
        ("torch.long", "torch.int64"),
        ("int64", "torch.int64"),
        ("torch.int64", "torch.int64"),
        ("int 64", "torch.int64"),
        ("i64", "torch.int64"),
        ("LongTensor", "torch.int64"),
        ("short", "torch.int16"),
        ("torch.short", "torch.int16"),
        ("int16", "torch.int16"),
        ("int8", "torch.int8"),
        ("char", "torch.int8"),
        ("uint8", "torch.uint8"),
        ("byte", "torch.uint8"),
        ("bool", "torch.bool"),
        ("torch.bool", "torch.bool"),
        ("boolean", "torch.bool"),
        ("booleano", "torch.bool"),
        ("cfloat", "torch.complex64"),
        ("torch.cfloat", "torch.complex64"),
        ("complex64", "torch.complex64"),
        ("cdouble", "torch.complex128"),
        ("complex128", "torch.complex128"),
        ("chalf", "torch.complex32"),
        ("float8_e4m3fn", "torch.float8_e4m3fn"),
        ("torch.uint16", "torch.uint16"),
        ("qint8", "torch.qint8"),
    ],
)
def test_parse_dtype(typed, canonical):
    assert parse_answer(DTYPE, typed) == canonical


@pytest.mark.parametrize("typed", ["", "float31", "integer number", "torch", "tensor", "entero"])
def test_unreadable_dtype(typed):
    assert parse_answer(DTYPE, typed) is None


def test_dtype_aliases_agree_with_torch():
    """Every name torch itself defines maps to the dtype torch says."""
    torch = pytest.importorskip("torch")
    names = [n for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)]
    assert "int" in names and "long" in names
    for name in names:
        assert parse_answer(DTYPE, f"torch.{name}") == str(getattr(torch, name)), name
        assert parse_answer(DTYPE, name) == str(getattr(torch, name)), name


# -- parse_answer: bools, ints, floats ---------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "sí",
        "Sí",
        "si",
        "SI",
        "yes",
        "Yes",
        "true",
        "True",
        "TRUE",
        "verdadero",
        "y",
        "s",
        "1",
        "sí.",
        "tensor(True)",
        "cierto",
    ],
)
def test_parse_bool_true(typed):
    assert parse_answer(BOOL, typed) == "True"


@pytest.mark.parametrize("typed", ["no", "No", "false", "False", "falso", "n", "0", "no.", "tensor(False)"])
def test_parse_bool_false(typed):
    assert parse_answer(BOOL, typed) == "False"


@pytest.mark.parametrize("typed", ["", "maybe", "quizás", "2", "yes no"])
def test_unreadable_bool(typed):
    assert parse_answer(BOOL, typed) is None


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("7", "7"),
        (" 7 ", "7"),
        ("+7", "7"),
        ("7.0", "7"),
        ("7.", "7"),
        ("-3", "-3"),
        ("0", "0"),
        ("1e3", "1000"),
        ("tensor(7)", "7"),
        ("7,0", "7"),
        ("1_000", "1000"),
    ],
)
def test_parse_int(typed, canonical):
    assert parse_answer(INT, typed) == canonical


@pytest.mark.parametrize("typed", ["", "7.5", "siete", "nan", "inf", "7 8", "1,000,000"])
def test_unreadable_int(typed):
    assert parse_answer(INT, typed) is None


def test_huge_int_does_not_crash():
    assert parse_answer(INT, "9" * 5000) is None
    assert parse_answer(FLOAT, "9" * 400) is None


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("0.5", "0.5"),
        (".5", "0.5"),
        ("0,5", "0.5"),
        ("+0.5", "0.5"),
        ("14", "14.0"),
        ("14.", "14.0"),
        ("0.33333", "0.3333"),
        ("1/3", "0.3333"),
        ("2/3", "0.6667"),
        ("-1.23456", "-1.2346"),
        ("1e-5", "0.0"),
        ("2.5e2", "250.0"),
        ("tensor(2.5000)", "2.5"),
        ("nan", "nan"),
        ("NaN", "nan"),
        ("inf", "inf"),
        ("-inf", "-inf"),
    ],
)
def test_parse_float(typed, canonical):
    assert parse_answer(FLOAT, typed) == canonical


@pytest.mark.parametrize("typed", ["", "abc", "1/0", "1..2", "0.5.1"])
def test_unreadable_float(typed):
    assert parse_answer(FLOAT, typed) is None


# -- parse_answer: values ------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("[1, 2]", "[1, 2]"),
        ("[1., 2.]", "[1.0, 2.0]"),
        ("[1.0, 2.0]", "[1.0, 2.0]"),
        ("tensor([1., 2.])", "[1.0, 2.0]"),
        ("torch.tensor([1., 2.])", "[1.0, 2.0]"),
        ("tensor([1., 2.], dtype=torch.float64)", "[1.0, 2.0]"),
        ("tensor([1., 2.], requires_grad=True)", "[1.0, 2.0]"),
        ("tensor([3.], grad_fn=<AddBackward0>)", "[3.0]"),
        ("1 2", "[1, 2]"),
        ("1, 2", "[1, 2]"),
        ("[1 2]", "[1, 2]"),
        ("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]"),
        ("[[1., 2.],\n [3., 4.]]", "[[1.0, 2.0], [3.0, 4.0]]"),
        ("tensor([[1., 2.], [3., 4.]])", "[[1.0, 2.0], [3.0, 4.0]]"),
        ("[[1 2]\n [3 4]]", "[[1, 2], [3, 4]]"),
        ("14", "14"),
        ("14.0", "14.0"),
        ("tensor(14.)", "14.0"),
        ("[0.123456, -0.5]", "[0.1235, -0.5]"),
        ("[True, False]", "[true, false]"),
        ("tensor([True, False])", "[true, false]"),
        ("[true, false]", "[true, false]"),
        ("[nan, inf, -inf]", '["nan", "inf", "-inf"]'),
        ('["nan", 1.0]', '["nan", 1.0]'),
        ("(1, 2)", "[1, 2]"),
        ("(5,)", "[5]"),
        ("(tensor(6.), tensor(2.))", "[6.0, 2.0]"),
        ("[]", "[]"),
        ("[1e-3, 2]", "[0.001, 2]"),
    ],
)
def test_parse_values(typed, canonical):
    assert parse_answer(VALUES, typed) == canonical


@pytest.mark.parametrize(
    "typed",
    ["", "[1, 2", "[1, 2]]", "[1,, 2]", "[, 1]", "tensor(1, 2)", "[1, two]", "[1, 2)", "null", "[" * 100 + "]" * 100],
)
def test_unreadable_values(typed):
    assert parse_answer(VALUES, typed) is None


def test_values_canonical_round_trips():
    for canonical in ["[[1.0, 2.0], [3.0, 4.0]]", "14.0", "[1, 2, 3]", "[true, false]", '["nan", 0.5]', "[]"]:
        assert parse_answer(VALUES, canonical) == canonical


# -- parse_answer: errors and text ---------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("RuntimeError", "RuntimeError"),
        ("runtimeerror", "RuntimeError"),
        ("runtime error", "RuntimeError"),
        ("Runtime Error", "RuntimeError"),
        ("RuntimeError: size mismatch", "RuntimeError"),
        ("lanza un RuntimeError", "RuntimeError"),
        ("it raises a RuntimeError", "RuntimeError"),
        ("error en tiempo de ejecución", "RuntimeError"),
        ("IndexError", "IndexError"),
        ("index error", "IndexError"),
        ("error de índice", "IndexError"),
        ("fuera de rango", "IndexError"),
        ("ValueError", "ValueError"),
        ("error de valor", "ValueError"),
        ("TypeError", "TypeError"),
        ("error de tipo", "TypeError"),
        ("AttributeError", "AttributeError"),
        ("KeyError", "KeyError"),
        ("ZeroDivisionError", "ZeroDivisionError"),
        ("zero division error", "ZeroDivisionError"),
        ("división por cero", "ZeroDivisionError"),
        ("NotImplementedError", "NotImplementedError"),
        ("not implemented error", "NotImplementedError"),
        ("no implementado", "NotImplementedError"),
        ("LookupError", "LookupError"),
        ("torch.linalg.LinAlgError", "LinAlgError"),
        ("_LinAlgError", "LinAlgError"),
        ("torch.OutOfMemoryError", "OutOfMemoryError"),
        ("FancyTorchError", "FancyTorchError"),
        ("error", GENERIC_ERROR),
        ("Error", GENERIC_ERROR),
        ("an error", GENERIC_ERROR),
        ("un error", GENERIC_ERROR),
        ("da error", GENERIC_ERROR),
        ("excepción", GENERIC_ERROR),
        ("excepcion", GENERIC_ERROR),
        ("una excepción", GENERIC_ERROR),
        ("exception", GENERIC_ERROR),
        ("an exception", GENERIC_ERROR),
        ("Exception", GENERIC_ERROR),
        ("error de ejecución", GENERIC_ERROR),
        ("falla", GENERIC_ERROR),
        ("lanza un error", GENERIC_ERROR),
        ("lanza una excepción", GENERIC_ERROR),
        ("it raises", GENERIC_ERROR),
        ("raises an error", GENERIC_ERROR),
        ("it fails", GENERIC_ERROR),
        ("throws", GENERIC_ERROR),
    ],
)
def test_parse_error(typed, canonical):
    assert parse_answer(ERROR, typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "no error",
        "no lanza error",
        "ningún error",
        "sin error",
        "it doesn't raise",
        "no exception",
        "none",
        "nada",
        "(2, 3)",
        "torch.float32",
        "no",
        "ok",
    ],
)
def test_not_an_error(typed):
    assert parse_answer(ERROR, typed) is None


def test_parse_text_normalizes():
    assert parse_answer(TEXT, "  `Tensor`  View ") == "tensor view"
    assert parse_answer("no such kind", " A  b ") == "a b"


# -- check_answer: right answers -------------------------------------------------------


@pytest.mark.parametrize(
    "kind, typed, correct",
    [
        (SHAPE, "2x3", "(2, 3)"),
        (SHAPE, "torch.Size([2, 3])", "(2, 3)"),
        (SHAPE, "5", "(5,)"),
        (SHAPE, "escalar", "()"),
        (SHAPE, "[]", "()"),
        (DTYPE, "float", "torch.float32"),
        (DTYPE, "torch.float", "torch.float32"),
        (DTYPE, "long", "torch.int64"),
        (DTYPE, "int", "torch.int32"),
        (DTYPE, "double", "torch.float64"),
        (DTYPE, "half", "torch.float16"),
        (BOOL, "sí", "True"),
        (BOOL, "yes", "True"),
        (BOOL, "falso", "False"),
        (INT, "7.0", "7"),
        (INT, "+7", "7"),
        (FLOAT, "0.33333", "0.3333"),
        (FLOAT, "1/3", "0.3333"),
        (FLOAT, "0.3334", "0.3333"),
        (FLOAT, "0,5", "0.5"),
        (FLOAT, "nan", "nan"),
        (FLOAT, "-inf", "-inf"),
        (FLOAT, "14", "14.0"),
        (VALUES, "14", "14.0"),
        (VALUES, "tensor(14.)", "14.0"),
        (VALUES, "[1, 2]", "[1.0, 2.0]"),
        (VALUES, "tensor([1., 2.])", "[1.0, 2.0]"),
        (VALUES, "1 2", "[1.0, 2.0]"),
        (VALUES, "[[1, 2], [3, 4]]", "[[1.0, 2.0], [3.0, 4.0]]"),
        (VALUES, "[0.33334, 0.6667]", "[0.3333, 0.6667]"),
        (VALUES, "[0.12345]", "[0.1234]"),
        (VALUES, "[True, False]", "[true, false]"),
        (VALUES, "[1, 0]", "[true, false]"),
        (VALUES, "[nan, 1.]", '["nan", 1.0]'),
        (ERROR, "RuntimeError", "RuntimeError"),
        (ERROR, "runtime error", "RuntimeError"),
        (ERROR, "index error", "IndexError"),
        (ERROR, "LinAlgError", "_LinAlgError"),
        (TEXT, "  Tensor  VIEW", "tensor view"),
    ],
)
def test_right(kind, typed, correct):
    verdict = check_answer(kind, typed, correct)
    assert verdict.correct, verdict


@pytest.mark.parametrize("kind", [SHAPE, DTYPE, BOOL, INT, FLOAT, VALUES, ERROR, TEXT])
def test_canonical_answer_is_right(kind):
    correct = {
        SHAPE: "(4, 3, 2)", DTYPE: "torch.float32", BOOL: "True", INT: "7", FLOAT: "0.1235",
        VALUES: "[[1.0, 2.0], [3.0, 4.0]]", ERROR: "RuntimeError", TEXT: "view",
    }[kind]  # fmt: skip
    assert check_answer(kind, correct, correct).correct
    assert parse_answer(kind, correct) == correct


# -- check_answer: false positives to avoid ----------------------------------------------


@pytest.mark.parametrize(
    "kind, typed, correct",
    [
        (SHAPE, "(3, 2)", "(2, 3)"),
        (SHAPE, "3x2", "(2, 3)"),
        (SHAPE, "(2, 3, 1)", "(2, 3)"),
        (SHAPE, "(1,)", "()"),
        (SHAPE, "()", "(1,)"),
        (SHAPE, "5", "(5, 1)"),
        (DTYPE, "float16", "torch.float32"),
        (DTYPE, "float64", "torch.float32"),
        (DTYPE, "double", "torch.float32"),
        (DTYPE, "int", "torch.int64"),
        (DTYPE, "torch.int", "torch.int64"),
        (DTYPE, "long", "torch.int32"),
        (DTYPE, "float", "torch.float64"),
        (DTYPE, "bfloat16", "torch.float16"),
        (DTYPE, "uint8", "torch.int8"),
        (DTYPE, "bool", "torch.uint8"),
        (BOOL, "yes", "False"),
        (BOOL, "sí", "False"),
        (BOOL, "no", "True"),
        (INT, "8", "7"),
        (INT, "-7", "7"),
        (FLOAT, "0.33", "0.3333"),
        (FLOAT, "0.3336", "0.3333"),
        (FLOAT, "nan", "0.0"),
        (FLOAT, "inf", "-inf"),
        (FLOAT, "16777216", "16777217.0"),
        (VALUES, "[1, 2]", "[1, 2, 3]"),
        (VALUES, "[1, 2, 3]", "[1, 2]"),
        (VALUES, "[2, 1]", "[1, 2]"),
        (VALUES, "[1, 2, 3, 4]", "[[1, 2], [3, 4]]"),
        (VALUES, "[[1, 3], [2, 4]]", "[[1, 2], [3, 4]]"),
        (VALUES, "[1]", "1"),
        (VALUES, "[nan]", "[0.0]"),
        (VALUES, "[1.001]", "[1.0]"),
        (ERROR, "IndexError", "RuntimeError"),
        (ERROR, "no error", "RuntimeError"),
        (ERROR, "RuntimeError", "IndexError"),
        (ERROR, "ValueError", "LookupError"),
        (SHAPE, "(2, 3)", "RuntimeError"),
        (BOOL, "no", "RuntimeError"),
        (SHAPE, "error", "(2, 3)"),
        (TEXT, "view", "reshape"),
    ],
)
def test_wrong(kind, typed, correct):
    verdict = check_answer(kind, typed, correct)
    assert not verdict.correct, verdict


# -- check_answer: hints, both languages ---------------------------------------------------


@pytest.mark.parametrize(
    "kind, typed, correct, en, es",
    [
        (SHAPE, "(3, 2)", "(2, 3)", "right dimensions, wrong order", "dimensiones correctas, en otro orden"),
        (SHAPE, "4x2x3", "(4, 3, 2)", "right dimensions, wrong order", "dimensiones correctas, en otro orden"),
        (SHAPE, "(2, 3, 1)", "(2, 3)", "one dimension too many", "una dimensión de más"),
        (SHAPE, "(1,)", "()", "one dimension too many", "una dimensión de más"),
        (SHAPE, "(3,)", "(2, 3)", "one dimension too few", "una dimensión de menos"),
        (SHAPE, "()", "(5,)", "one dimension too few", "una dimensión de menos"),
        (SHAPE, "(2, 3, 4, 5)", "(2, 3)", "2 dimensions, not 4", "2 dimensiones, no 4"),
        (
            SHAPE,
            "(3, 4)",
            "(2, 6)",
            "right number of elements, wrong shape",
            "número de elementos correcto, forma equivocada",
        ),
        (SHAPE, "(2, 4)", "(2, 3)", "", ""),
        (
            SHAPE,
            "dos por tres",
            "(2, 3)",
            "couldn't read this as a shape (e.g. (2, 3))",
            "no se puede leer como forma (p. ej. (2, 3))",
        ),
        (SHAPE, "error", "(2, 3)", "it doesn't raise", "no lanza ningún error"),
        (
            DTYPE,
            "float64",
            "torch.float32",
            "right kind, wrong width: float32 is the default float",
            "tipo correcto, ancho equivocado: float32 es el float por defecto",
        ),
        (
            DTYPE,
            "half",
            "torch.float32",
            "right kind, wrong width: float32 is the default float",
            "tipo correcto, ancho equivocado: float32 es el float por defecto",
        ),
        (
            DTYPE,
            "int32",
            "torch.int64",
            "right kind, wrong width: int64 is the default integer",
            "tipo correcto, ancho equivocado: int64 es el entero por defecto",
        ),
        (
            DTYPE,
            "float32",
            "torch.float16",
            "right kind, wrong width: it's torch.float16",
            "tipo correcto, ancho equivocado: es torch.float16",
        ),
        (
            DTYPE,
            "long",
            "torch.int32",
            "right kind, wrong width: it's torch.int32",
            "tipo correcto, ancho equivocado: es torch.int32",
        ),
        (
            DTYPE,
            "int",
            "torch.int64",
            "`int` is torch.int32 as an alias, but Python's int (dtype=int) and integer literals give torch.int64",
            "`int` es torch.int32 como alias, pero el int de Python (dtype=int) y los literales enteros dan torch.int64",
        ),
        (
            DTYPE,
            "torch.int",
            "torch.int64",
            "`int` is torch.int32 as an alias, but Python's int (dtype=int) and integer literals give torch.int64",
            "`int` es torch.int32 como alias, pero el int de Python (dtype=int) y los literales enteros dan torch.int64",
        ),
        (
            DTYPE,
            "float",
            "torch.float64",
            "`float` is torch.float32 as an alias, but Python's float (dtype=float) gives torch.float64",
            "`float` es torch.float32 como alias, pero el float de Python (dtype=float) da torch.float64",
        ),
        (
            DTYPE,
            "bfloat16",
            "torch.float16",
            "right width, another format: torch.float16",
            "ancho correcto, otro formato: torch.float16",
        ),
        (DTYPE, "int8", "torch.uint8", "signed vs unsigned: torch.uint8", "con signo o sin signo: torch.uint8"),
        (DTYPE, "int64", "torch.float32", "", ""),
        (
            DTYPE,
            "float31",
            "torch.float32",
            "couldn't read this as a dtype (e.g. torch.float32)",
            "no se puede leer como dtype (p. ej. torch.float32)",
        ),
        (BOOL, "yes", "False", "", ""),
        (
            BOOL,
            "quizás",
            "True",
            "couldn't read this as yes/no (e.g. True)",
            "no se puede leer como sí/no (p. ej. True)",
        ),
        (INT, "8", "7", "off by one", "te desvías en uno"),
        (INT, "-7", "7", "wrong sign", "signo equivocado"),
        (INT, "10", "7", "", ""),
        (INT, "7.5", "7", "couldn't read this as an integer (e.g. 7)", "no se puede leer como entero (p. ej. 7)"),
        (FLOAT, "0.33", "0.3333", "round to 4 decimals", "redondea a 4 decimales"),
        (FLOAT, "0.3", "0.3333", "round to 4 decimals", "redondea a 4 decimales"),
        (FLOAT, "-0.5", "0.5", "wrong sign", "signo equivocado"),
        (FLOAT, "0.7", "0.5", "", ""),
        (VALUES, "[1, 2]", "[1, 2, 3]", "shape (3,), not (2,)", "forma (3,), no (2,)"),
        (VALUES, "[1]", "1", "right numbers, wrong shape: ()", "números correctos, forma equivocada: ()"),
        (VALUES, "[5]", "1", "shape (), not (1,)", "forma (), no (1,)"),
        (
            VALUES,
            "[1, 2, 3, 4]",
            "[[1, 2], [3, 4]]",
            "right numbers, wrong shape: (2, 2)",
            "números correctos, forma equivocada: (2, 2)",
        ),
        (
            VALUES,
            "[[1, 3], [2, 4]]",
            "[[1, 2], [3, 4]]",
            "right values, transposed",
            "valores correctos, pero traspuestos",
        ),
        (VALUES, "[2, 1, 3]", "[1, 2, 3]", "right numbers, in another order", "números correctos, en otro orden"),
        (VALUES, "[0.33, 0.5]", "[0.3333, 0.5]", "round to 4 decimals", "redondea a 4 decimales"),
        (VALUES, "[1, 5]", "[1, 2]", "", ""),
        (
            VALUES,
            "[1, 2",
            "[1, 2]",
            "couldn't read this as values (e.g. [1.0, 2.0])",
            "no se puede leer como valores (p. ej. [1.0, 2.0])",
        ),
        (VALUES, "error", "[1, 2]", "it doesn't raise", "no lanza ningún error"),
    ],
)
def test_hints(kind, typed, correct, en, es):
    assert hint(kind, typed, correct, "en") == en
    assert hint(kind, typed, correct, "es") == es


@pytest.mark.parametrize(
    "kind, typed, correct, right_, en, es",
    [
        (ERROR, "error", "RuntimeError", True, "yes: RuntimeError", "sí: RuntimeError"),
        (ERROR, "excepción", "RuntimeError", True, "yes: RuntimeError", "sí: RuntimeError"),
        (ERROR, "lanza un error", "IndexError", True, "yes: IndexError", "sí: IndexError"),
        (ERROR, "an exception", "ValueError", True, "yes: ValueError", "sí: ValueError"),
        (SHAPE, "error", "RuntimeError", True, "yes: RuntimeError", "sí: RuntimeError"),
        (VALUES, "falla", "RuntimeError", True, "yes: RuntimeError", "sí: RuntimeError"),
        (ERROR, "RuntimeError", "RuntimeError", True, "", ""),
        (ERROR, "LookupError", "IndexError", True, "yes; more precisely IndexError", "sí; en concreto IndexError"),
        (
            ERROR,
            "RuntimeError",
            "_LinAlgError",
            True,
            "yes; more precisely _LinAlgError",
            "sí; en concreto _LinAlgError",
        ),
        (
            ERROR,
            "IndexError",
            "RuntimeError",
            False,
            "it raises, but RuntimeError",
            "lanza un error, pero RuntimeError",
        ),
        (
            SHAPE,
            "ValueError",
            "RuntimeError",
            False,
            "it raises, but RuntimeError",
            "lanza un error, pero RuntimeError",
        ),
        (SHAPE, "(2, 3)", "RuntimeError", False, "it raises RuntimeError", "lanza RuntimeError"),
        (VALUES, "[1, 2]", "RuntimeError", False, "it raises RuntimeError", "lanza RuntimeError"),
        (DTYPE, "float32", "TypeError", False, "it raises TypeError", "lanza TypeError"),
        (BOOL, "no", "RuntimeError", False, "it raises RuntimeError", "lanza RuntimeError"),
        (ERROR, "no error", "RuntimeError", False, "it raises RuntimeError", "lanza RuntimeError"),
        (ERROR, "", "RuntimeError", False, "it raises RuntimeError", "lanza RuntimeError"),
        (ERROR, "error", "tensor(shape=(2,), dtype=torch.float32)", False, "it doesn't raise", "no lanza ningún error"),
    ],
)
def test_error_hints(kind, typed, correct, right_, en, es):
    for lang, text in (("en", en), ("es", es)):
        verdict = check_answer(kind, typed, correct, lang=lang)
        assert (verdict.correct, verdict.hint) == (right_, text)


def test_lang_defaults_to_spanish_and_falls_back_to_english():
    assert check_answer(SHAPE, "(3, 2)", "(2, 3)").hint == "dimensiones correctas, en otro orden"
    assert check_answer(SHAPE, "(3, 2)", "(2, 3)", lang="es-ES").hint == "dimensiones correctas, en otro orden"
    assert check_answer(SHAPE, "(3, 2)", "(2, 3)", lang="fr").hint == "right dimensions, wrong order"


def test_hints_are_one_line():
    cases = [(SHAPE, "(3, 2)", "(2, 3)"), (DTYPE, "int", "torch.int64"), (ERROR, "error", "RuntimeError"),
             (VALUES, "[1, 2, 3, 4]", "[[1, 2], [3, 4]]"), (FLOAT, "x", "0.5")]  # fmt: skip
    for case in cases:
        for lang in ("es", "en"):
            text = check_answer(*case, lang=lang).hint
            assert text and "\n" not in text and len(text) <= 120


# -- check_answer: the diff ------------------------------------------------------------------


def test_wrong_answer_diff_is_typed_text_against_canonical():
    verdict = check_answer(SHAPE, "(3, 2)", "(2, 3)")
    assert verdict.typed == [
        ("(", Mark.SAME),
        ("3", Mark.WRONG),
        (", ", Mark.SAME),
        ("2", Mark.WRONG),
        (")", Mark.SAME),
    ]
    assert verdict.expected == [
        ("(", Mark.SAME), ("2", Mark.MISSING), (", ", Mark.SAME), ("3", Mark.MISSING), (")", Mark.SAME)
    ]  # fmt: skip
    typed, expected = char_diff("3x2", "(2, 3)")
    assert check_answer(SHAPE, "  3x2 ", "(2, 3)").typed == typed
    assert check_answer(SHAPE, "  3x2 ", "(2, 3)").expected == expected


def test_right_answer_in_another_spelling_is_all_same():
    verdict = check_answer(SHAPE, " 2  x 3 ", "(2, 3)")
    assert verdict == Verdict(True, [("2 x 3", Mark.SAME)], [("(2, 3)", Mark.SAME)], "")
    verdict = check_answer(ERROR, "error", "RuntimeError", lang="en")
    assert verdict.typed == [("error", Mark.SAME)] and verdict.expected == [("RuntimeError", Mark.SAME)]


def test_empty_typed_answer():
    verdict = check_answer(SHAPE, "", "(2, 3)", lang="en")
    assert not verdict.correct
    assert verdict.typed == []
    assert verdict.expected == [("(2, 3)", Mark.MISSING)]
    assert verdict.hint == "couldn't read this as a shape (e.g. (2, 3))"


def test_non_canonical_correct_falls_back_to_text():
    # A tensor too big to send its values: the canonical string is "null".
    assert check_answer(VALUES, "null", "null").correct
    assert not check_answer(VALUES, "[1, 2]", "null").correct


@pytest.mark.parametrize("kind", [SHAPE, DTYPE, BOOL, INT, FLOAT, VALUES, ERROR, TEXT])
@pytest.mark.parametrize("typed", ["", " ", "🙂", "[" * 5000, "(" * 50 + ")" * 50, "x" * 10000, "1" * 10000, "\x00"])
def test_odd_input_never_raises(kind, typed):
    verdict = check_answer(kind, typed, "(2, 3)" if kind == SHAPE else "RuntimeError")
    assert isinstance(verdict, Verdict)
    parse_answer(kind, typed)


# -- feedback in the card's language (issue 10, item 2) ---------------------------

from quizapp.answers import _HINTS, _KIND_NAMES, FEEDBACK, feedback_word, infer_kind, same_text  # noqa: E402

#: (kind, typed, correct, the hint it gives): every hint of answers.py, each path.
HINT_CASES = [
    *[(kind, "banana split", example, "unreadable") for kind, (_names, example) in _KIND_NAMES.items()],
    (SHAPE, "(2, 3)", "RuntimeError", "raises"),
    (SHAPE, "IndexError", "RuntimeError", "raises_other"),
    (SHAPE, "error", "RuntimeError", "raises_yes"),
    (ERROR, "LookupError", "IndexError", "raises_precisely"),
    (SHAPE, "error", "(2, 3)", "no_raise"),
    (ERROR, "IndexError", "False", "no_raise"),
    (SHAPE, "(3, 2)", "(2, 3)", "shape_order"),
    (SHAPE, "(2, 3, 5)", "(2, 3)", "shape_extra"),
    (SHAPE, "(2,)", "(2, 3)", "shape_missing"),
    (SHAPE, "(2,)", "(2, 3, 4)", "shape_rank"),
    (SHAPE, "(6, 1)", "(2, 3)", "shape_numel"),
    (DTYPE, "float64", "torch.float32", "dtype_default_float"),  # dtype_width, with its note
    (DTYPE, "int32", "torch.int64", "dtype_default_int"),
    (DTYPE, "float32", "torch.float16", "dtype_it_is"),
    (DTYPE, "int", "torch.int64", "dtype_int_alias"),
    (DTYPE, "float", "torch.float64", "dtype_float_alias"),
    (DTYPE, "float16", "torch.bfloat16", "dtype_format"),
    (DTYPE, "uint8", "torch.int8", "dtype_sign"),
    (INT, "6", "7", "off_by_one"),
    (INT, "-7", "7", "sign"),
    (FLOAT, "-0.25", "0.25", "sign"),
    (FLOAT, "0.33", "0.3333", "round"),
    (VALUES, "[1, 2, 3, 4]", "[[1, 2], [3, 4]]", "values_reshaped"),
    (VALUES, "[1, 2]", "[[1, 2], [3, 4]]", "values_shape"),
    (VALUES, "[[1, 3], [2, 4]]", "[[1, 2], [3, 4]]", "values_transposed"),
    (VALUES, "[2, 1]", "[1, 2]", "values_order"),
    (VALUES, "[0.33, 1]", "[0.3333, 1]", "round"),
]


def _words(text: str) -> set[str]:
    import re

    return {w.casefold() for w in re.findall(r"[^\W\d_]{3,}", re.sub(r"\{\w+\}|`[^`]*`|torch\.\w+", " ", text))}


def _vocabulary(lang: str) -> set[str]:
    """Words of one language's feedback that the other language's never uses."""
    other = "en" if lang == "es" else "es"
    tables = [*_HINTS.values(), *FEEDBACK.values(), *(names for names, _example in _KIND_NAMES.values())]
    mine = set().union(*(_words(t[lang]) for t in tables))
    theirs = set().union(*(_words(t[other]) for t in tables))
    return mine - theirs


#: The notes of dtype_width: a hint inside that hint.
WIDTH_NOTES = {"dtype_default_float", "dtype_default_int", "dtype_it_is"}


def test_every_hint_is_reached_by_a_case():
    assert {key for *_rest, key in HINT_CASES} | {"dtype_width"} == set(_HINTS)


@pytest.mark.parametrize(("kind", "typed", "correct", "key"), HINT_CASES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_feedback_is_in_the_cards_language_only(kind, typed, correct, key, lang):
    verdict = check_answer(kind, typed, correct, lang=lang)
    template = _HINTS["dtype_width" if key in WIDTH_NOTES else key][lang]
    assert verdict.hint.startswith(template.split("{")[0]), (verdict.hint, template)
    if key in WIDTH_NOTES:
        assert _HINTS[key][lang].split("{")[0] in verdict.hint
    other = "es" if lang == "en" else "en"
    shown = " ".join([verdict.hint, feedback_word("correct" if verdict.correct else "wrong", lang)])
    assert not _words(shown) & _vocabulary(other), shown


def test_the_vocabularies_tell_the_languages_apart():
    assert {"lanza", "forma", "correcto", "regla"} <= _vocabulary("es")
    assert {"raises", "shape", "correct", "rule"} <= _vocabulary("en")
    assert feedback_word("wrong", "es-ES") == "✗ No exactamente" and feedback_word("wrong", "fr") == "✗ Not quite"


# -- one strictness for names (issue 10, item 3) -----------------------------------


@pytest.mark.parametrize(
    ("typed", "answer", "ok"),
    [
        ("empty", "torch.empty", True),
        ("torch.empty()", "torch.empty", True),
        ("Torch.Empty", "torch.empty", True),
        ("ones_like", "torch.ones_like", True),
        ("manual_seed()", "torch.manual_seed", True),
        ("torch.empty", "empty", True),
        ("zeros", "torch.empty", False),
        ("nn.Linear", "torch.nn.Linear", True),
        ("Linear", "torch.nn.Linear", False),  # only torch. may go, as for dtypes
        ("b.to(int32)", "b.to(torch.int32)", False),  # inside code, torch. is part of the code
        ("tensor view", "tensor.view", False),
    ],
)
def test_a_name_in_code_may_leave_out_torch_as_a_dtype_may(typed, answer, ok):
    kind = infer_kind(answer)
    assert check_answer(kind, typed, answer, lang="en").correct is ok
    assert same_text(typed, answer) is ok
    assert check_answer(DTYPE, "float32", "torch.float32", lang="en").correct  # the rule it follows


def test_a_size_answer_is_compared_as_a_shape():
    assert infer_kind("torch.Size([2, 2, 3])") == SHAPE
    assert parse_answer(SHAPE, "torch.Size([2, 2, 3])") == "(2, 2, 3)"
    assert infer_kind("(3, 4)") == SHAPE and infer_kind("torch.float32") == DTYPE
    assert infer_kind("b.to(torch.int32)") == TEXT and infer_kind("7") == TEXT
