"""Creation functions and *_like: the shape and dtype they give, and what *_like copies."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 4

_PROMPTS = {
    AnswerKind.SHAPE: {
        "es": "¿Qué forma tiene el resultado? (o ¿qué error lanza?)",
        "en": "What is the shape of the result? (or which error does it raise?)",
    },
    AnswerKind.DTYPE: {
        "es": "¿Qué dtype tiene el resultado? (o ¿qué error lanza?)",
        "en": "What is the dtype of the result? (or which error does it raise?)",
    },
    AnswerKind.VALUES: {
        "es": "¿Qué valores tiene el resultado? (o ¿qué error lanza?)",
        "en": "What are the values of the result? (or which error does it raise?)",
    },
}

_LABELS = {
    "rows_columns_swapped": {"es": "leer los tamaños al revés", "en": "reading the sizes backwards"},
    "sizes_as_values": {
        "es": "leer los tamaños como valores, como en torch.tensor",
        "en": "reading the sizes as values, as in torch.tensor",
    },
    "single_size_square": {
        "es": "creer que un solo tamaño da una matriz cuadrada",
        "en": "thinking a single size gives a square matrix",
    },
    "inclusive_end": {"es": "creer que arange incluye el final", "en": "thinking arange includes the end"},
    "step_ignored": {"es": "olvidar el paso de arange", "en": "forgetting arange's step"},
    "steps_as_step": {
        "es": "leer el tercer argumento de linspace como un paso",
        "en": "reading linspace's third argument as a step",
    },
    "linspace_excludes_end": {"es": "creer que linspace excluye el final", "en": "thinking linspace excludes the end"},
    "eye_is_vector": {"es": "creer que eye(n) es un vector de unos", "en": "thinking eye(n) is a vector of ones"},
    "eye_square": {"es": "creer que eye siempre es cuadrada", "en": "thinking eye is always square"},
    "randint_like_rand": {
        "es": "creer que randint toma los tamaños sueltos, como rand",
        "en": "thinking randint takes sizes as separate ints, like rand",
    },
    "randint_size_int": {
        "es": "creer que randint acepta un int como tamaño",
        "en": "thinking randint accepts an int as its size",
    },
    "always_float32": {"es": "creer que toda creación da float32", "en": "thinking every creation gives float32"},
    "ints_give_int": {
        "es": "creer que argumentos enteros dan un tensor int64",
        "en": "thinking int arguments give an int64 tensor",
    },
    "float_is_float64": {
        "es": "creer que un float de Python da float64",
        "en": "thinking a Python float gives float64",
    },
    "int_is_int32": {"es": "tomar los enteros por int32", "en": "taking ints for int32"},
    "like_default_dtype": {
        "es": "creer que *_like usa el dtype por defecto",
        "en": "thinking *_like uses the default dtype",
    },
    "like_ignores_dtype": {
        "es": "creer que dtype= no cambia lo que copia *_like",
        "en": "thinking dtype= doesn't override what *_like copies",
    },
    "like_copies_values": {"es": "creer que *_like copia los valores", "en": "thinking *_like copies the values"},
    "rand_like_keeps_int": {
        "es": "creer que rand_like da enteros si x es entero",
        "en": "thinking rand_like gives ints for an int x",
    },
    "rand_like_casts": {
        "es": "creer que rand_like pasa a float por su cuenta",
        "en": "thinking rand_like switches to float on its own",
    },
    "randint_gives_int64": {
        "es": "creer que randint_like siempre da int64",
        "en": "thinking randint_like always gives int64",
    },
    "full_like_keeps_fill": {
        "es": "creer que full_like conserva el valor float",
        "en": "thinking full_like keeps the float fill value",
    },
    "full_like_rounds": {
        "es": "creer que full_like redondea el valor al entero más cercano",
        "en": "thinking full_like rounds the value to the nearest int",
    },
    "new_takes_shape": {
        "es": "creer que new_* copia también la forma de x",
        "en": "thinking new_* copies x's shape too",
    },
}

_CREATION_SHAPE_RULE = {
    "es": "Los tamaños van como enteros sueltos o en una tupla: zeros(2, 3) es zeros((2, 3)). "
    "arange(inicio, fin, paso) excluye el fin; linspace(inicio, fin, n) da n puntos con los dos extremos; "
    "eye(n, m) es n×m; randint(bajo, alto, tamaño) pide el tamaño como tupla.",
    "en": "Sizes go as separate ints or in one tuple: zeros(2, 3) is zeros((2, 3)). "
    "arange(start, end, step) excludes end; linspace(start, end, n) gives n points including both ends; "
    "eye(n, m) is n×m; randint(low, high, size) needs the size as a tuple.",
}
_CREATION_DTYPE_RULE = {
    "es": "zeros, ones, empty, rand, eye y linspace dan el dtype por defecto (float32) salvo dtype=. "
    "arange y full lo deducen de sus argumentos (enteros → int64, algún float → float32, bool → bool) "
    "y randint da int64.",
    "en": "zeros, ones, empty, rand, eye and linspace give the default dtype (float32) unless dtype= says "
    "otherwise. arange and full infer it from their arguments (ints → int64, any float → float32, bool → "
    "bool) and randint gives int64.",
}
_LIKE_RULE = {
    "es": "*_like(x) copia la forma, el dtype y el device de x, nunca sus valores; dtype= cambia el dtype. "
    "full_like(x, v) convierte v al dtype de x: con un x entero, 2.7 se trunca a 2 (y -2.7 a -2). "
    "rand_like y randn_like sortean floats: con un x entero fallan salvo que pases un dtype float. "
    "x.new_zeros(tamaño) copia dtype y device, pero la forma es la que le pasas.",
    "en": "*_like(x) copies x's shape, dtype and device, never its values; dtype= overrides the dtype. "
    "full_like(x, v) converts v to x's dtype: on an int x, 2.7 is truncated to 2 (and -2.7 to -2). "
    "rand_like and randn_like draw floats: on an int x they fail unless you pass a float dtype. "
    "x.new_zeros(size) copies dtype and device, but the shape is the one you pass.",
}


_v = labelled(_LABELS)


def _size(rng: random.Random, shape: list[int]) -> str:
    """A size written as separate ints, a tuple or a list."""
    style = rng.choice(["varargs", "varargs", "tuple", "list"])
    if style == "varargs":
        return shape_args(shape)
    if style == "tuple":
        return f"({shape_args(shape)},)" if len(shape) == 1 else f"({shape_args(shape)})"
    return f"[{shape_args(shape)}]"


def _seeded(code: str, seed: int) -> str:
    """Random draws are always seeded first, so every run gives the same result."""
    return f"torch.manual_seed({seed})\n{code}" if "torch.rand" in code else code


def _filled(dims: list[int], value) -> str:
    """Canonical values (JSON) of a tensor of shape ``dims`` filled with ``value``: a distractor."""
    return json.dumps(_nested(dims, value))


def _nested(dims: list[int], value) -> list:
    return [value] * dims[0] if len(dims) == 1 else [_nested(dims[1:], value) for _ in range(dims[0])]


@dataclass(frozen=True)
class CreationLike:
    name: str = "creation_like"
    title = {"es": "Crear tensores: zeros, arange, *_like...", "en": "Creating tensors: zeros, arange, *_like..."}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["shape", "dtype", "like"], weights=[3, 3, 4])[0]
        kind, code, variants, rule, fallbacks = getattr(self, "_" + style)(rng)
        seed = rng.randint(0, 9)
        code = _seeded(code, seed)
        variants = [Variant(_seeded(v.code, seed), v.mistake, v.label) for v in variants]
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=_PROMPTS[kind],
            error_choice="RuntimeError",
            explanation=rule,
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
        )

    # -- creation: shapes ----------------------------------------------------
    def _shape(self, rng: random.Random):
        fn = rng.choice(["basic", "arange", "arange", "linspace", "eye", "randint", "randint"])
        if fn == "basic":
            name = rng.choice(["zeros", "ones", "empty", "rand", "randn"])
            shape = [rng.randint(2, 5) for _ in range(rng.randint(1, 3))]
            code = f"torch.{name}({_size(rng, shape)}).shape"
            variants = [_v(f"torch.{name}({shape_args(shape[::-1])}).shape", "rows_columns_swapped")]
            if len(shape) == 1:
                variants = [_v(f"torch.{name}({shape[0]}, {shape[0]}).shape", "single_size_square")]
            variants.append(_v(f"torch.tensor([{shape_args(shape)}]).shape", "sizes_as_values"))
            fallbacks: tuple[str, ...] = (format_shape(shape + [1]), format_shape([len(shape)]), "TypeError")
        elif fn == "arange":
            step = rng.choice([1, 2, 2, 3])
            start = rng.randint(0, 3)
            end = start + step * rng.randint(2, 5) + rng.choice([0, 0, 1]) * (step > 1)
            args = f"{start}, {end}, {step}" if step > 1 or rng.random() < 0.5 else f"{start}, {end}"
            if start == 0 and step == 1 and rng.random() < 0.5:
                args = str(end)
            code = f"torch.arange({args}).shape"
            variants = [_v(f"torch.arange({start}, {end + 1}, {step}).shape", "inclusive_end")]
            if step > 1:
                variants.append(_v(f"torch.arange({start}, {end}).shape", "step_ignored"))
            fallbacks = (format_shape([end]), format_shape([end - start - 1]), format_shape([end - start + 1]))
        elif fn == "linspace":
            start, end = rng.choice([(0, 1), (0, 10), (1, 5), (-1, 1), (0, 20)])
            steps = rng.randint(3, 6)
            code = f"torch.linspace({start}, {end}, {steps}).shape"
            variants = [
                _v(f"torch.arange({start}, {end}, {steps}).shape", "steps_as_step"),
                _v(f"torch.linspace({start}, {end}, {steps - 1}).shape", "linspace_excludes_end"),
            ]
            fallbacks = (format_shape([steps + 1]), format_shape([end - start]), format_shape([1, steps]))
        elif fn == "eye":
            n = rng.randint(2, 5)
            if rng.random() < 0.5:
                code = f"torch.eye({n}).shape"
                variants = [_v(f"torch.ones({n}).shape", "eye_is_vector")]
                fallbacks = (format_shape([n, 1]), format_shape([1, n]), "TypeError")
            else:
                m = rng.choice([k for k in range(2, 6) if k != n])
                code = f"torch.eye({n}, {m}).shape"
                variants = [
                    _v(f"torch.eye({n}).shape", "eye_square"),
                    _v(f"torch.eye({m}, {n}).shape", "rows_columns_swapped"),
                ]
                fallbacks = (format_shape([m, m]), format_shape([n]), "TypeError")
        else:  # randint
            low, high = rng.choice([(0, 10), (1, 7), (0, 2), (5, 9)])
            shape = [rng.randint(2, 4) for _ in range(rng.randint(1, 2))]
            case = rng.choice(["tuple", "tuple", "varargs", "int"])
            if case == "tuple":
                size = f"({shape_args(shape)},)" if len(shape) == 1 else f"({shape_args(shape)})"
                code = f"torch.randint({low}, {high}, {size}).shape"
                variants = [_v(f"torch.rand({low}, {high}).shape", "randint_like_rand")]
            elif case == "varargs":
                code = f"torch.randint({low}, {high}).shape"
                variants = [_v(f"torch.rand({low}, {high}).shape", "randint_like_rand")]
            else:
                shape = shape[:1]
                code = f"torch.randint({low}, {high}, {shape[0]}).shape"
                variants = [_v(f"torch.rand({shape[0]}).shape", "randint_size_int")]
            fallbacks = (format_shape([low, high] + shape), format_shape([high - low]), "TypeError", "RuntimeError")
        return AnswerKind.SHAPE, code, variants, _CREATION_SHAPE_RULE, fallbacks

    # -- creation: dtypes ----------------------------------------------------
    def _dtype(self, rng: random.Random):
        case = rng.choice(["arange_int", "arange_float", "full", "linspace", "randint", "default", "explicit"])
        if case == "arange_int":
            end = rng.randint(3, 9)
            args = str(end) if rng.random() < 0.5 else f"{rng.randint(0, 2)}, {end}"
            code = f"torch.arange({args}).dtype"
            variants = [
                _v("torch.get_default_dtype()", "always_float32"),
                _v(f"torch.arange({args}, dtype=torch.int32).dtype", "int_is_int32"),
            ]
        elif case == "arange_float":
            args = rng.choice(["0, 1, 0.25", "0, 2, 0.5", "5.0", "1, 3.0", "0.5, 4"])
            code = f"torch.arange({args}).dtype"
            variants = [
                _v(f"torch.arange({args}, dtype=torch.float64).dtype", "float_is_float64"),
                # What the learner pictures, not arange(..., dtype=int64): with a float step that raises.
                _v("torch.int64", "ints_give_int"),
            ]
        elif case == "full":
            value = rng.choice(["7", "0", "3", "2.5", "1.0", "True"])
            size = _size(rng, [rng.randint(2, 3), rng.randint(2, 3)])
            size = size if size.startswith(("(", "[")) else f"({size})"
            code = f"torch.full({size}, {value}).dtype"
            variants = [_v("torch.get_default_dtype()", "always_float32")]
            if "." in value:
                variants.append(_v(f"torch.full({size}, {value}, dtype=torch.float64).dtype", "float_is_float64"))
            elif value != "True":
                variants.append(_v(f"torch.full({size}, {value}, dtype=torch.int32).dtype", "int_is_int32"))
            else:
                variants.append(_v(f"torch.full({size}, {value}, dtype=torch.int64).dtype", "ints_give_int"))
        elif case == "linspace":
            start, end = rng.choice([(0, 10), (1, 5), (0, 4), (2, 8)])
            code = f"torch.linspace({start}, {end}, {rng.randint(3, 6)}).dtype"
            variants = [_v("torch.int64", "ints_give_int"), _v("torch.float64", "float_is_float64")]
        elif case == "randint":
            code = f"torch.randint({rng.randint(0, 2)}, {rng.randint(5, 9)}, ({rng.randint(2, 4)},)).dtype"
            variants = [_v("torch.get_default_dtype()", "always_float32"), _v("torch.int32", "int_is_int32")]
        elif case == "default":
            name = rng.choice(["zeros", "ones", "empty", "eye", "rand"])
            code = f"torch.{name}({shape_args([rng.randint(2, 4)] * rng.randint(1, 2))}).dtype"
            variants = [_v("torch.int64", "ints_give_int"), _v("torch.float64", "float_is_float64")]
        else:  # explicit
            name = rng.choice(["zeros", "ones", "empty", "full"])
            dtype = rng.choice(["int32", "int16", "float16", "float64", "uint8", "bool"])
            fill = ", 1" if name == "full" else ""
            shape = f"({rng.randint(2, 4)}, {rng.randint(2, 4)})"
            code = f"torch.{name}({shape}{fill}, dtype=torch.{dtype}).dtype"
            variants = [_v("torch.get_default_dtype()", "always_float32"), _v("torch.int64", "ints_give_int")]
        fallbacks = ("torch.float32", "torch.int64", "torch.float64", "torch.int32")
        return AnswerKind.DTYPE, code, variants, _CREATION_DTYPE_RULE, fallbacks

    # -- *_like and new_* ----------------------------------------------------
    def _like(self, rng: random.Random):
        dims = [rng.randint(2, 3) for _ in range(rng.randint(1, 2))]
        numel = dims[0] * (dims[1] if len(dims) == 2 else 1)
        int_dtype = rng.choice(["int64", "int32", "int16", "uint8"])
        float_dtype = rng.choice(["float32", "float64", "float16"])
        reshape = f".reshape({shape_args(dims)})" if len(dims) == 2 else ""
        x_int = f"x = torch.arange({numel}, dtype=torch.{int_dtype}){reshape}"
        if int_dtype == "int64" and rng.random() < 0.5:
            x_int = f"x = torch.arange({numel}){reshape}"
        x_float = f"x = torch.linspace(0, 1, {numel}, dtype=torch.{float_dtype}){reshape}"
        case = rng.choice(
            [
                "keeps_dtype",
                "override",
                "rand_like",
                "rand_like_dtype",
                "randint_like",
                "values",
                "values",
                "full_like",
                "new",
            ]
        )
        kind = AnswerKind.DTYPE
        fallbacks: tuple[str, ...] = ("torch.float32", "torch.int64", "torch.float64", "torch.int32")
        if case == "keeps_dtype":
            x = rng.choice([x_int, x_float])
            name = rng.choice(["zeros_like", "ones_like", "empty_like"])
            code = f"{x}\ntorch.{name}(x).dtype"
            variants = [_v(f"{x}\ntorch.{name.split('_')[0]}(x.shape).dtype", "like_default_dtype")]
        elif case == "override":
            x = rng.choice([x_int, x_float])
            name = rng.choice(["zeros_like", "ones_like"])
            target = rng.choice(["float64", "int32", "float16", "bool", "int64"])
            code = f"{x}\ntorch.{name}(x, dtype=torch.{target}).dtype"
            variants = [
                _v(f"{x}\ntorch.{name}(x).dtype", "like_ignores_dtype"),
                _v("torch.get_default_dtype()", "like_default_dtype"),
            ]
        elif case == "rand_like":
            name = rng.choice(["rand_like", "randn_like"])
            code = f"{x_int}\ntorch.{name}(x).dtype"
            variants = [
                _v(f"{x_int}\nx.dtype", "rand_like_keeps_int"),
                _v(f"{x_int}\ntorch.{name}(x.float()).dtype", "rand_like_casts"),
            ]
            # NotImplementedError is a RuntimeError: never offer RuntimeError as a wrong answer here.
            fallbacks = ("TypeError", "torch.float64", "torch.int64", "torch.float32")
        elif case == "rand_like_dtype":
            name = rng.choice(["rand_like", "randn_like"])
            target = rng.choice(["float32", "float64", "float16"])
            code = f"{x_int}\ntorch.{name}(x, dtype=torch.{target}).dtype"
            variants = [
                _v(f"{x_int}\nx.dtype", "rand_like_keeps_int"),
                _v(f"{x_int}\ntorch.{name}(x).dtype", "like_ignores_dtype"),
            ]
            fallbacks = ("TypeError", "torch.float32", "torch.float64", "torch.int64")
        elif case == "randint_like":
            code = f"{x_float}\ntorch.randint_like(x, {rng.randint(5, 10)}).dtype"
            variants = [_v("torch.int64", "randint_gives_int64"), _v("torch.get_default_dtype()", "like_default_dtype")]
        elif case == "values":
            kind = AnswerKind.VALUES
            x = x_int if rng.random() < 0.7 else x_float
            name = rng.choice(["zeros_like", "ones_like"])
            code = f"{x}\ntorch.{name}(x)"
            # Only distractors that differ in value or shape: a typed answer is compared by value,
            # so [0, 0] and [0.0, 0.0] count as the same answer.
            variants = [_v(f"{x}\nx", "like_copies_values")]
            one: float = 1 if name == "ones_like" else 0
            one = float(one) if x is x_float else one
            fallbacks = (_filled([numel], one), _filled(dims[::-1], one), _filled([1] + dims, one), "RuntimeError")
        elif case == "full_like":
            kind = AnswerKind.VALUES
            fill = rng.choice(["2.6", "1.9", "0.8", "3.7", "1.6"])
            code = f"{x_int}\ntorch.full_like(x, {fill})"
            variants = [
                _v(f"{x_int}\ntorch.full(x.shape, {fill})", "full_like_keeps_fill"),
                _v(f"{x_int}\ntorch.full_like(x, {round(float(fill))})", "full_like_rounds"),
            ]
            fallbacks = (_filled(dims, float(fill)), _filled(dims, round(float(fill))), "RuntimeError")
        else:  # new_*
            x = rng.choice([x_int, x_float])
            name = rng.choice(["new_zeros", "new_ones"])
            size = [rng.randint(2, 4) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.5:
                code = f"{x}\nx.{name}({_size(rng, size)}).dtype"
                variants = [_v("torch.get_default_dtype()", "like_default_dtype")]
            else:
                kind = AnswerKind.SHAPE
                code = f"{x}\nx.{name}({_size(rng, size)}).shape"
                variants = [_v(f"{x}\nx.shape", "new_takes_shape")]
                fallbacks = (format_shape(dims + size), format_shape(size[::-1]), format_shape([len(size)]))
        return kind, code, variants, _LIKE_RULE, fallbacks


FAMILY = CreationLike()
