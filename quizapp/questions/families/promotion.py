"""Type promotion: the dtype of an operation between mixed operands."""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import labelled

ORDER = 2

_INTS = ("int8", "int16", "int32", "int64", "uint8")
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_ALL = _INTS + _FLOATS + ("bool",)
#: Pairs of dimensioned tensors worth asking about; the rest come at random.
_PAIRS = (
    ("int32", "float16"),
    ("uint8", "int8"),
    ("int64", "float32"),
    ("int8", "int16"),
    ("float16", "bfloat16"),
    ("int32", "bool"),
    ("float16", "float64"),
    ("uint8", "int16"),
    ("int64", "float16"),
    ("int16", "float32"),
    ("uint8", "float16"),
    ("int32", "int64"),
    ("bfloat16", "int32"),
    ("uint8", "int64"),
)
_SIZES = {
    "bool": 1,
    "int8": 1,
    "uint8": 1,
    "int16": 2,
    "float16": 2,
    "bfloat16": 2,
    "int32": 4,
    "float32": 4,
    "int64": 8,
    "float64": 8,
}

_PROMPT = {
    "es": "¿Qué dtype tiene el resultado? (o ¿qué error lanza?)",
    "en": "What is the dtype of the result? (or which error does it raise?)",
}

_LABELS = {
    "scalar_as_tensor": {
        "es": "tratar el número de Python como un tensor int64/float64",
        "en": "treating the Python number as an int64/float64 tensor",
    },
    "keeps_tensor_dtype": {
        "es": "creer que el tensor conserva siempre su dtype",
        "en": "thinking the tensor always keeps its dtype",
    },
    "always_float": {
        "es": "creer que la aritmética siempre da float32",
        "en": "thinking arithmetic always gives float32",
    },
    "left_wins": {"es": "quedarse con el dtype del operando izquierdo", "en": "keeping the left operand's dtype"},
    "right_wins": {"es": "quedarse con el dtype del operando derecho", "en": "keeping the right operand's dtype"},
    "wider_wins": {
        "es": "quedarse con el dtype de más bytes, sea int o float",
        "en": "keeping the dtype with more bytes, int or float",
    },
    "widest_of_kind": {
        "es": "creer que una mezcla va al tipo más ancho de su clase (float64 o int64)",
        "en": "thinking a mix goes to the widest type of its kind (float64 or int64)",
    },
    "zero_dim_counts": {
        "es": "tratar el tensor 0-dim como uno con dimensiones",
        "en": "treating the 0-dim tensor like a dimensioned one",
    },
    "zero_dim_wins": {"es": "quedarse con el dtype del tensor 0-dim", "en": "keeping the 0-dim tensor's dtype"},
    "bool_stays": {"es": "creer que el resultado sigue siendo bool", "en": "thinking the result stays bool"},
    "bool_as_int64": {"es": "tratar los bool como int64", "en": "treating bools as int64"},
    "integer_division": {"es": "tomar `/` por división entera", "en": "taking `/` for integer division"},
    "float_is_float64": {
        "es": "creer que un float de Python da float64",
        "en": "thinking a Python float gives float64",
    },
    "floor_gives_float": {"es": "creer que `//` también da float", "en": "thinking `//` gives a float too"},
    "float_exponent_ignored": {
        "es": "creer que un exponente 2.0 es como 2",
        "en": "thinking an exponent of 2.0 is like 2",
    },
    "int_exponent_gives_float": {
        "es": "creer que una potencia siempre da float",
        "en": "thinking a power always gives a float",
    },
    "sum_keeps_dtype": {
        "es": "creer que la suma conserva el dtype entero",
        "en": "thinking the sum keeps the integer dtype",
    },
    "mean_gives_float": {"es": "creer que mean de enteros da float32", "en": "thinking the mean of ints gives float32"},
    "max_promotes": {
        "es": "creer que max acumula en int64 como sum",
        "en": "thinking max accumulates in int64 like sum",
    },
}


_v = labelled(_LABELS)


def _values(rng: random.Random, dtype: str, n: int = 3) -> str:
    if dtype == "bool":
        return "[" + ", ".join(rng.choice(["True", "False"]) for _ in range(n)) + "]"
    if dtype in _FLOATS:
        return "[" + ", ".join(f"{rng.randint(0, 4)}.{rng.choice([0, 5])}" for _ in range(n)) + "]"
    return "[" + ", ".join(str(rng.randint(1, 5)) for _ in range(n)) + "]"


def _tensor(rng: random.Random, dtype: str, n: int = 3) -> str:
    """A small tensor of ``dtype``; the dtype is left to inference now and then."""
    data = _values(rng, dtype, n)
    if dtype in ("int64", "float32", "bool") and rng.random() < 0.5:
        return f"torch.tensor({data})"
    return f"torch.tensor({data}, dtype=torch.{dtype})"


@dataclass(frozen=True)
class Promotion:
    name: str = "promotion"
    title = {"es": "Promoción de tipos: dtype del resultado", "en": "Type promotion: result dtype"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.DTYPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(
            ["scalar", "mixed", "zero_dim", "bool", "division", "power", "reduce"],
            weights=[2, 2, 2, 1, 1.5, 1, 1.5],
        )[0]
        code, variants, explanation, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.DTYPE,
            prompt=_PROMPT,
            error_choice="RuntimeError",
            explanation=explanation,
            variants=tuple(variants),
            fallbacks=tuple(fallbacks) + ("torch.float32", "torch.int64", "torch.float64", "torch.int32"),
        )

    # -- styles --------------------------------------------------------------
    def _scalar(self, rng: random.Random):
        dtype = rng.choice(_INTS + ("int64", "int32", "float16", "bfloat16"))
        scalar = rng.choice(["2", "3", "10"]) if rng.random() < 0.45 else rng.choice(["2.5", "0.5", "1.5", "2.0"])
        op = rng.choice(["+", "*", "-"])
        wide = "torch.float64" if "." in scalar else "torch.int64"
        setup = f"x = {_tensor(rng, dtype)}"
        code = f"{setup}\n(x {op} {scalar}).dtype"
        variants = [
            _v(f"{setup}\ntorch.promote_types(x.dtype, {wide})", "scalar_as_tensor"),
            _v(f"{setup}\nx.dtype", "keeps_tensor_dtype"),
            _v("torch.get_default_dtype()", "always_float"),
        ]
        explanation = {
            "es": "Un número de Python no sube la precisión del tensor: solo cuenta si es de una categoría "
            "superior (float sobre int) y entonces el resultado toma el float por defecto, float32. "
            "int16 * 2 sigue int16; int16 * 2.5 da float32; float16 * 2.5 sigue float16.",
            "en": "A Python number doesn't raise a tensor's precision: it only counts when it is of a higher "
            "category (float over int), and then the result takes the default float, float32. "
            "int16 * 2 stays int16; int16 * 2.5 gives float32; float16 * 2.5 stays float16.",
        }
        return code, variants, explanation, (f"torch.{dtype}", wide)

    def _mixed(self, rng: random.Random):
        if rng.random() < 0.6:
            left, right = rng.choice(_PAIRS)
        else:
            left, right = rng.sample(_ALL, 2)
        if rng.random() < 0.5:
            left, right = right, left
        op = rng.choice(["+", "*"])
        code = f"a = {_tensor(rng, left)}\nb = {_tensor(rng, right)}\n(a {op} b).dtype"
        setup = code.rsplit("\n", 1)[0]
        variants = [
            _v(setup + "\na.dtype", "left_wins"),
            _v(setup + "\nb.dtype", "right_wins"),
            _v(setup + "\na.dtype if a.element_size() >= b.element_size() else b.dtype", "wider_wins"),
            _v(
                setup + "\ntorch.float64 if a.is_floating_point() or b.is_floating_point() else torch.int64",
                "widest_of_kind",
            ),
        ]
        explanation = {
            "es": "Entre dos tensores con dimensiones, un float gana siempre a un int, tenga los bytes que "
            "tenga: int64 + float16 → float16, aunque float16 no puede guardar todos los int64 (70000 se "
            "vuelve inf). Dos enteros toman el más ancho, y uint8 con un entero con signo da uno con signo "
            "que cabe a los dos (uint8 + int8 → int16). Dos floats toman el más ancho; float16 + bfloat16 → "
            "float32, porque ninguno contiene al otro.",
            "en": "Between two dimensioned tensors, a float always beats an int, whatever their sizes: int64 + "
            "float16 → float16, although float16 can't hold every int64 (70000 becomes inf). Two ints take the "
            "wider one, and uint8 with a signed int gives a signed type that fits both (uint8 + int8 → int16). "
            "Two floats take the wider one; float16 + bfloat16 → float32, as neither contains the other.",
        }
        wider = left if _SIZES[left] >= _SIZES[right] else right
        return code, variants, explanation, (f"torch.{wider}", f"torch.{left}", f"torch.{right}")

    def _zero_dim(self, rng: random.Random):
        case = rng.choice(["float_float", "half_float", "int_float", "int_int", "int_double"])
        if case == "float_float":
            dtype, scalar = "float32", f"torch.tensor({rng.choice(['2.5', '0.5', '3.0'])}, dtype=torch.float64)"
        elif case == "half_float":
            dtype, scalar = rng.choice(["float16", "bfloat16"]), f"torch.tensor({rng.choice(['2.5', '1.5'])})"
        elif case == "int_float":
            dtype, scalar = rng.choice(_INTS), f"torch.tensor({rng.choice(['2.5', '0.5', '1.0'])})"
        elif case == "int_int":
            dtype = rng.choice(["int8", "int16", "int32", "uint8"])
            scalar = f"torch.tensor({rng.choice(['3', '100', '7'])})"
        else:
            dtype = rng.choice(_INTS)
            scalar = f"torch.tensor({rng.choice(['2.5', '0.5'])}, dtype=torch.{rng.choice(['float64', 'float16'])})"
        op = rng.choice(["+", "*"])
        expr = f"(x {op} s)" if rng.random() < 0.6 else f"(s {op} x)"
        setup = f"x = {_tensor(rng, dtype)}\ns = {scalar}"
        code = f"{setup}\n{expr}.dtype"
        variants = [
            _v(f"{setup}\n{expr.replace('s', 's.unsqueeze(0)')}.dtype", "zero_dim_counts"),
            _v(f"{setup}\ns.dtype", "zero_dim_wins"),
            _v(f"{setup}\nx.dtype", "keeps_tensor_dtype"),
        ]
        explanation = {
            "es": "Un tensor 0-dim cuenta como un número: solo decide el dtype si es de una categoría superior "
            "(float sobre int) a la de los tensores con dimensiones. float32 + 0-dim float64 sigue float32; "
            "int + 0-dim float toma el dtype float de ese tensor 0-dim.",
            "en": "A 0-dim tensor counts like a number: it only decides the dtype when it is of a higher category "
            "(float over int) than the dimensioned tensors. float32 + 0-dim float64 stays float32; int + 0-dim "
            "float takes that 0-dim tensor's float dtype.",
        }
        return code, variants, explanation, (f"torch.{dtype}",)

    def _bool(self, rng: random.Random):
        mask = f"m = torch.tensor({_values(rng, 'bool')})"
        case = rng.choice(["int", "float", "bool", "tensor"])
        op = rng.choice(["+", "*"])
        setup = mask
        if case == "int":
            other = rng.choice(["1", "2", "5"])
        elif case == "float":
            other = rng.choice(["0.5", "1.5", "2.0"])
        elif case == "bool":
            other = "m"
        else:
            dtype = rng.choice(["int8", "int16", "int32", "uint8", "float16"])
            setup += f"\nx = {_tensor(rng, dtype)}"
            other = "x"
        code = f"{setup}\n(m {op} {other}).dtype"
        variants = [
            _v(f"{setup}\nm.dtype", "bool_stays"),
            _v(f"{setup}\n(m.long() {op} {other}).dtype", "bool_as_int64"),
        ]
        if case in ("int", "float"):
            wide = "torch.float64" if "." in other else "torch.int64"
            variants.append(_v(f"torch.promote_types(torch.bool, {wide})", "scalar_as_tensor"))
        explanation = {
            "es": "bool es la categoría más baja: bool con un entero da el dtype del entero (un int de Python: "
            "int64), bool con un float da el float (un float de Python: float32) y bool con bool sigue bool.",
            "en": "bool is the lowest category: bool with an int gives the int's dtype (a Python int: int64), "
            "bool with a float gives the float (a Python float: float32), and bool with bool stays bool.",
        }
        return code, variants, explanation, ("torch.bool", "torch.int32", "torch.uint8")

    def _division(self, rng: random.Random):
        dtype = rng.choice(_INTS + ("int64", "int32"))
        if rng.random() < 0.15:
            dtype = "float16"
        divisor = rng.choice(["2", "3", "4"])
        setup = f"x = {_tensor(rng, dtype)}"
        if rng.random() < 0.3:
            setup += f"\ny = {_tensor(rng, rng.choice(['int32', 'int64', 'int16']))}"
            divisor = "y"
        floor = rng.random() < 0.4
        op = "//" if floor else "/"
        code = f"{setup}\n(x {op} {divisor}).dtype"
        if floor:
            variants = [
                _v(f"{setup}\n(x / {divisor}).dtype", "floor_gives_float"),
                _v(f"{setup}\ntorch.promote_types(x.dtype, torch.int64)", "scalar_as_tensor"),
            ]
        else:
            variants = [
                _v(f"{setup}\n(x // {divisor}).dtype", "integer_division"),
                _v(f"{setup}\ntorch.promote_types(x.dtype, torch.float64)", "float_is_float64"),
            ]
        explanation = {
            "es": "`/` siempre es división real: con tensores enteros da el float por defecto (float32). "
            "`//` redondea hacia abajo y conserva el dtype entero.",
            "en": "`/` is always true division: on integer tensors it gives the default float (float32). "
            "`//` floors and keeps the integer dtype.",
        }
        return code, variants, explanation, (f"torch.{dtype}", "torch.float64", "torch.int64")

    def _power(self, rng: random.Random):
        dtype = rng.choice(("int32", "int64", "int16", "uint8", "int8", "float16"))
        exponent = rng.choice(["2", "3"]) if rng.random() < 0.4 else rng.choice(["2.0", "0.5", "3.0"])
        setup = f"x = {_tensor(rng, dtype)}"
        code = f"{setup}\n(x ** {exponent}).dtype"
        if "." in exponent:
            variants = [
                _v(f"{setup}\n(x ** {exponent.split('.')[0] or '1'}).dtype", "float_exponent_ignored"),
                _v(f"{setup}\ntorch.promote_types(x.dtype, torch.float64)", "float_is_float64"),
            ]
        else:
            variants = [
                _v(f"{setup}\n(x ** {exponent}.5).dtype", "int_exponent_gives_float"),
                _v(f"{setup}\ntorch.promote_types(x.dtype, torch.int64)", "scalar_as_tensor"),
            ]
        explanation = {
            "es": "Con un exponente entero, un tensor entero sigue entero; un exponente float (2.0, 0.5) es un "
            "escalar float y da el float por defecto, float32, como cualquier escalar float con un tensor int.",
            "en": "With an integer exponent an int tensor stays int; a float exponent (2.0, 0.5) is a float "
            "scalar and gives the default float, float32, like any float scalar with an int tensor.",
        }
        return code, variants, explanation, (f"torch.{dtype}",)

    def _reduce(self, rng: random.Random):
        dtype = rng.choice(("int32", "int16", "uint8", "int8", "int64", "bool", "float16"))
        method = rng.choice(["sum", "sum", "mean", "mean", "prod", "max"])
        setup = f"x = {_tensor(rng, dtype)}"
        code = f"{setup}\nx.{method}().dtype"
        variants = [_v(f"{setup}\nx.dtype", "sum_keeps_dtype")]
        if method == "mean":
            variants.append(_v(f"{setup}\nx.float().mean().dtype", "mean_gives_float"))
        elif method == "max":
            variants.append(_v(f"{setup}\nx.sum().dtype", "max_promotes"))
        explanation = {
            "es": "sum y prod de tensores enteros (o bool) acumulan en int64 para no desbordar; max conserva "
            "el dtype. mean solo existe para float (o complejos): con un tensor entero lanza RuntimeError; "
            "convierte antes con .float().",
            "en": "sum and prod of integer (or bool) tensors accumulate in int64 so they don't overflow; max "
            "keeps the dtype. mean is only defined for floating (or complex) tensors: on an int tensor it "
            "raises RuntimeError; convert with .float() first.",
        }
        return code, variants, explanation, ("RuntimeError", f"torch.{dtype}", "torch.float32")


FAMILY = Promotion()
