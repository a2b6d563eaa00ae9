"""Numerics: float16 overflow, NaN, float equality, integer division and
integer overflow: what the numbers become, computed by torch."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import labelled

ORDER = 17

_LABELS = {
    "no_overflow": {
        "es": "creer que float16 guarda cualquier número (su máximo es 65504)",
        "en": "thinking float16 holds any number (its maximum is 65504)",
    },
    "float_saturates": {
        "es": "creer que un float que desborda se queda en el máximo en vez de volverse inf",
        "en": "thinking an overflowing float stays at the maximum instead of becoming inf",
    },
    "nan_skipped": {
        "es": "creer que las reducciones saltan los NaN (eso hacen nansum y nanmean)",
        "en": "thinking reductions skip NaN (nansum and nanmean do that)",
    },
    "nan_as_zero": {
        "es": "creer que NaN cuenta como 0",
        "en": "thinking NaN counts as 0",
    },
    "nan_equals_itself": {
        "es": "creer que NaN es igual a sí mismo",
        "en": "thinking NaN equals itself",
    },
    "float_exact": {
        "es": "creer que la aritmética float es exacta, así que == basta",
        "en": "thinking float arithmetic is exact, so == is enough",
    },
    "float_never_equal": {
        "es": "creer que dos cálculos float nunca dan == True",
        "en": "thinking two float computations are never == True",
    },
    "floor_as_trunc": {
        "es": "creer que // trunca hacia cero (redondea hacia abajo: -7 // 2 es -4)",
        "en": "thinking // truncates toward zero (it floors: -7 // 2 is -4)",
    },
    "trunc_as_floor": {
        "es": "creer que rounding_mode='trunc' redondea hacia abajo",
        "en": "thinking rounding_mode='trunc' floors",
    },
    "true_division": {
        "es": "creer que // da decimales como /",
        "en": "thinking // gives decimals like /",
    },
    "remainder_sign": {
        "es": "creer que % toma el signo del dividendo, como fmod (toma el del divisor)",
        "en": "thinking % takes the dividend's sign, like fmod (it takes the divisor's)",
    },
    "int_promotes": {
        "es": "creer que un entero que desborda pasa a int64",
        "en": "thinking an overflowing integer moves to int64",
    },
    "int_saturates": {
        "es": "creer que un entero que desborda se queda en el máximo (da la vuelta)",
        "en": "thinking an overflowing integer stays at the maximum (it wraps around)",
    },
}

_PROMPT = {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"}

_RULES = {
    "overflow16": {
        "es": "float16 llega hasta 65504: un resultado mayor se vuelve inf (no se recorta al máximo). "
        "Calcula en float32 si los valores pueden crecer.",
        "en": "float16 goes up to 65504: a larger result becomes inf (it isn't clamped to the maximum). "
        "Compute in float32 if values can grow.",
    },
    "nan": {
        "es": "NaN se propaga: sum, mean y max de un tensor con un NaN dan nan; nansum y nanmean lo "
        "saltan. NaN no es igual a nada, ni a sí mismo: x == x es False donde x es NaN (usa isnan).",
        "en": "NaN propagates: sum, mean and max of a tensor with a NaN give nan; nansum and nanmean skip "
        "it. NaN equals nothing, not even itself: x == x is False where x is NaN (use isnan).",
    },
    "equality": {
        "es": "Los float se redondean en cada operación: == compara bits y puede fallar (0.1 + 0.2 en "
        "float64) o acertar por suerte (en float32); torch.allclose compara con una tolerancia.",
        "en": "Floats are rounded at every operation: == compares bits and may fail (0.1 + 0.2 in "
        "float64) or hold by luck (in float32); torch.allclose compares within a tolerance.",
    },
    "division": {
        "es": "// sobre enteros redondea hacia abajo (floor), también con negativos: -7 // 2 es -4; "
        "torch.div(x, y, rounding_mode='trunc') trunca hacia cero (-3). % toma el signo del divisor, "
        "como en Python (-7 % 3 es 2); torch.fmod toma el del dividendo (-1).",
        "en": "// on integers floors, negatives included: -7 // 2 is -4; torch.div(x, y, "
        "rounding_mode='trunc') truncates toward zero (-3). % takes the divisor's sign, as in Python "
        "(-7 % 3 is 2); torch.fmod takes the dividend's (-1).",
    },
    "int_overflow": {
        "es": "Los enteros de ancho fijo dan la vuelta al desbordar, sin error: int8 va de -128 a 127, "
        "así que 100 + 100 en int8 es -56; uint8 va de 0 a 255.",
        "en": "Fixed-width integers wrap around on overflow, with no error: int8 goes from -128 to 127, "
        "so 100 + 100 in int8 is -56; uint8 goes from 0 to 255.",
    },
}

_v = labelled(_LABELS)


def _pairs() -> tuple[str, ...]:
    return tuple(json.dumps([a, b]) for a in (True, False) for b in (True, False))


@dataclass(frozen=True)
class Numerics:
    name: str = "numerics"
    title = {
        "es": "Números: desbordes, NaN, igualdad float y división entera",
        "en": "Numerics: overflow, NaN, float equality, integer division",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choice(["overflow16", "nan", "equality", "division", "int_overflow"])
        code, variants, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.VALUES,
            prompt=_PROMPT,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
        )

    # -- styles --------------------------------------------------------------
    def _overflow16(self, rng: random.Random):
        big = rng.choice([40000, 50000, 60000])
        small = rng.choice([100, 250, 1000])
        k = rng.choice([2, 3])
        setup = f"x = torch.tensor([{big}.0, {small}.0], dtype=torch.float16)"
        op = rng.choice(["x * {k}", "x + x" if k == 2 else "x * {k}"]).format(k=k)
        code = f"{setup}\n{op}"
        variants = [
            _v(f"{setup}\n{op.replace('x', 'x.float()', 1)}", "no_overflow"),
            _v(f"{setup}\n({op.replace('x', 'x.float()', 1)}).clamp(max=65504)", "float_saturates"),
        ]
        return code, variants, [json.dumps(["inf", "inf"]), json.dumps([0.0, float(small * k)])]

    def _nan(self, rng: random.Random):
        a, c = rng.sample([1.0, 2.0, 3.0, 4.0, 6.0], 2)
        setup = f"x = torch.tensor([{a}, float('nan'), {c}])"
        if rng.random() < 0.35:  # equality with itself
            code = f"{setup}\nx == x"
            variants = [_v(f"{setup}\nx == x.nan_to_num()", "nan_as_zero")]
            variants.append(_v(f"{setup}\ntorch.ones(3, dtype=torch.bool)", "nan_equals_itself"))
            return code, variants, [json.dumps([False] * 3), json.dumps([True, False, False])]
        method = rng.choice(["sum", "mean", "max"])
        code = f"{setup}\nx.{method}()"
        skip = {"sum": "nansum", "mean": "nanmean", "max": "nan_to_num(-1.0).max"}[method]
        variants = [
            _v(f"{setup}\nx.{skip}()", "nan_skipped"),
            _v(f"{setup}\nx.nan_to_num().{method}()", "nan_as_zero"),
        ]
        return code, variants, [json.dumps(0.0), json.dumps(a + c), json.dumps(max(a, c)), json.dumps(min(a, c))]

    def _equality(self, rng: random.Random):
        a, b = rng.choice([("0.1", "0.2"), ("0.1", "0.7"), ("0.2", "0.4"), ("1.1", "2.2")])
        total = {("0.1", "0.2"): "0.3", ("0.1", "0.7"): "0.8", ("0.2", "0.4"): "0.6", ("1.1", "2.2"): "3.3"}[(a, b)]
        dtype = rng.choice(["float32", "float64"])
        setup = (
            f"a = torch.tensor({a}, dtype=torch.{dtype})\nb = torch.tensor({b}, dtype=torch.{dtype})\n"
            f"c = torch.tensor({total}, dtype=torch.{dtype})"
        )
        code = f"{setup}\n(bool(a + b == c), torch.allclose(a + b, c))"
        variants = [
            _v(f"{setup}\n(True, True)", "float_exact"),
            _v(f"{setup}\n(False, torch.allclose(a + b, c))", "float_never_equal"),
        ]
        return code, variants, _pairs()

    def _division(self, rng: random.Random):
        form = rng.choice(["floor", "trunc", "remainder"])
        # Odd quotients only, so that each rounding gives another answer (7 % 2 is 1 either way).
        p, q = rng.choice([(9, 4), (5, 3), (8, 3), (7, 3)] + ([] if form == "remainder" else [(7, 2)]))
        setup = f"x = torch.tensor([-{p}, {p}])"
        if form == "floor":
            code = f"{setup}\nx // {q}"
            variants = [
                _v(f"{setup}\ntorch.div(x, {q}, rounding_mode='trunc')", "floor_as_trunc"),
                _v(f"{setup}\nx / {q}", "true_division"),
            ]
        elif form == "trunc":
            code = f"{setup}\ntorch.div(x, {q}, rounding_mode='trunc')"
            variants = [
                _v(f"{setup}\nx // {q}", "trunc_as_floor"),
                _v(f"{setup}\nx / {q}", "true_division"),
            ]
        else:
            code = f"{setup}\nx % {q}"
            variants = [_v(f"{setup}\ntorch.fmod(x, {q})", "remainder_sign")]
            r = p % q
            return code, variants, [json.dumps([r, r]), json.dumps([-r, -r]), json.dumps([q - r, q - r])]
        ceil = [-(p // q), -(-p // q)]  # rounding up, or to the nearest: other plausible roundings
        nearest = [-round(p / q), round(p / q)]
        return code, variants, [json.dumps(ceil), json.dumps(nearest), json.dumps([-p // q, -p // q])]

    def _int_overflow(self, rng: random.Random):
        if rng.random() < 0.5:
            dtype, start, add, top = "int8", rng.choice([100, 120, 90]), rng.choice([50, 100]), 127
        else:
            start = rng.choice([200, 250, 180])
            dtype, add, top = "uint8", rng.choice([a for a in (60, 100) if start + a > 255]), 255
        setup = f"x = torch.tensor([{start}, 1], dtype=torch.{dtype})"
        code = f"{setup}\nx + {add}"
        variants = [
            _v(f"{setup}\nx.long() + {add}", "int_promotes"),
            _v(f"{setup}\n(x.long() + {add}).clamp(max={top})", "int_saturates"),
        ]
        return code, variants, [json.dumps([start, 1 + add]), json.dumps([0, 1 + add])]


FAMILY = Numerics()
