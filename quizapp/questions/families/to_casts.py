"""Casts with .to(): the values after float->int, int->uint8, bool conversions."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import labelled

ORDER = 5

_PROMPT = {
    "es": "¿Qué valores tiene el resultado? (o ¿qué error lanza?)",
    "en": "What are the values of the result? (or which error does it raise?)",
}

_LABELS = {
    "rounds": {"es": "creer que la conversión redondea", "en": "thinking the cast rounds"},
    "floors": {"es": "creer que la conversión redondea hacia abajo (floor)", "en": "thinking the cast floors"},
    "ceils": {
        "es": "creer que la conversión redondea hacia arriba (ceil)",
        "en": "thinking the cast takes the ceiling",
    },
    "floor_division": {
        "es": "confundir truncar con la división entera `//` (floor)",
        "en": "confusing truncation with floor division `//`",
    },
    "saturates": {"es": "creer que los valores se recortan a 0..255", "en": "thinking values clamp to 0..255"},
    "unchanged": {"es": "creer que los valores no cambian", "en": "thinking the values don't change"},
    "sign_dropped": {"es": "creer que el signo simplemente se pierde", "en": "thinking the sign is just dropped"},
    "only_one_is_true": {"es": "creer que solo el 1 es True", "en": "thinking only 1 is True"},
    "negative_false": {"es": "creer que los negativos son False", "en": "thinking negatives are False"},
    "small_is_false": {
        "es": "creer que los valores cercanos a 0 dan False",
        "en": "thinking values close to 0 give False",
    },
    "true_is_minus_one": {"es": "creer que True vale -1", "en": "thinking True is -1"},
    "true_is_zero": {
        "es": "creer que True vale 0, como un código de salida de la shell",
        "en": "thinking True is 0, like a shell exit status",
    },
    "keeps_float": {"es": "creer que los valores siguen siendo float", "en": "thinking the values stay float"},
    "imprecise_float": {
        "es": "creer que 3.0 se guarda como 2.999... y se trunca a 2",
        "en": "thinking 3.0 is stored as 2.999... and truncates to 2",
    },
    "imprecise_toward_zero": {
        "es": "creer que cada valor se guarda algo más cerca de 0 (-3.0 como -2.999...)",
        "en": "thinking every value is stored a bit closer to 0 (-3.0 as -2.999...)",
    },
    "to_in_place": {
        "es": "creer que .to() cambia el tensor en el sitio",
        "en": "thinking .to() changes the tensor in place",
    },
    "to_in_place_keeps_float": {
        "es": "creer que .to() trunca los valores de x en el sitio y x sigue siendo float",
        "en": "thinking .to() truncates x's values in place, x staying float",
    },
}


_v = labelled(_LABELS)


def _int_cast(rng: random.Random, target: str = "") -> str:
    """A cast to an integer dtype, in one of its spellings."""
    return target or rng.choice([".to(torch.int64)", ".to(torch.int32)", ".long()", ".int()", ".to(torch.int16)"])


def _decimal(rng: random.Random, sign: int) -> str:
    return f"{'-' if sign < 0 else ''}{rng.randint(0, 4)}.{rng.choice([1, 2, 3, 4, 6, 7, 8, 9])}"


@dataclass(frozen=True)
class ToCasts:
    name: str = "to_casts"
    title = {"es": "Conversiones con .to(): valores", "en": "Casting with .to(): values"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(
            ["truncate", "division", "uint8", "to_bool", "from_bool", "exact", "not_in_place"],
            weights=[3, 1.5, 2.5, 2, 1.5, 1.5, 1],
        )[0]
        code, variants, explanation, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.VALUES,
            prompt=_PROMPT,
            error_choice="RuntimeError",
            explanation=explanation,
            variants=tuple(variants),
            fallbacks=tuple(fallbacks) + ("RuntimeError",),
        )

    # -- styles --------------------------------------------------------------
    def _truncate(self, rng: random.Random):
        n = rng.randint(3, 4)
        signs = [-1, 1] + [rng.choice([-1, 1]) for _ in range(n - 2)]
        rng.shuffle(signs)
        values = [_decimal(rng, s) for s in signs]
        cast = _int_cast(rng)
        data = f"torch.tensor([{', '.join(values)}])"
        code = f"x = {data}\nx{cast}"
        variants = [
            _v(f"x = {data}\nx.round(){cast}", "rounds"),
            _v(f"x = {data}\nx.floor(){cast}", "floors"),
            _v(f"x = {data}\nx.ceil(){cast}", "ceils"),
        ]
        explanation = {
            "es": "Pasar de float a entero trunca hacia cero: quita los decimales, también en los negativos "
            "(-2.7 → -2, 3.9 → 3). No redondea ni hace floor.",
            "en": "Casting float to int truncates toward zero: it drops the decimals, negatives included "
            "(-2.7 → -2, 3.9 → 3). It neither rounds nor floors.",
        }
        return code, variants, explanation, ()

    def _division(self, rng: random.Random):
        divisor = rng.choice([2, 3, 4])
        values = [rng.randint(1, 9) * rng.choice([-1, 1]) for _ in range(3)]
        values[rng.randrange(3)] = -(divisor * rng.randint(1, 3) + 1)  # a negative that doesn't divide
        data = f"torch.tensor([{', '.join(map(str, values))}])"
        cast = _int_cast(rng, rng.choice(["", ".to(torch.int64)"]))
        code = f"x = {data}\n(x / {divisor}){cast}"
        variants = [
            _v(f"x = {data}\nx // {divisor}", "floor_division"),
            _v(f"x = {data}\n(x / {divisor}).round(){cast}", "rounds"),
            _v(f"x = {data}\nx / {divisor}", "keeps_float"),
        ]
        explanation = {
            "es": "`/` da floats y convertirlos a entero trunca hacia cero (-3.5 → -3), mientras que `//` "
            "redondea hacia abajo (-7 // 2 → -4). Solo difieren en los negativos.",
            "en": "`/` gives floats and casting them to int truncates toward zero (-3.5 → -3), while `//` "
            "floors (-7 // 2 → -4). They only differ for negatives.",
        }
        return code, variants, explanation, ()

    def _uint8(self, rng: random.Random):
        pool = [
            256 + rng.randint(1, 60),
            -rng.randint(1, 10),
            255,
            rng.randint(0, 200),
            256,
            -256 + rng.randint(1, 50),
            300,
            511,
            -1,
        ]
        values = rng.sample(pool, rng.randint(3, 4))
        if not any(v < 0 for v in values):
            values[0] = -rng.randint(1, 5)
        if not any(v > 255 for v in values):
            values[-1] = 256 + rng.randint(0, 50)
        source = rng.choice(["", "", ", dtype=torch.int32", ", dtype=torch.int16"])
        data = f"torch.tensor([{', '.join(map(str, values))}]{source})"
        cast = rng.choice([".to(torch.uint8)", ".to(torch.uint8)", ".byte()"])
        code = f"x = {data}\nx{cast}"
        variants = [
            _v(f"x = {data}\nx.clamp(0, 255){cast}", "saturates"),
            _v(f"x = {data}\nx", "unchanged"),
            _v(f"x = {data}\nx.abs(){cast}", "sign_dropped"),
        ]
        explanation = {
            "es": "De un tensor entero a uint8, los valores dan la vuelta módulo 256: 300 → 44, -1 → 255, "
            "256 → 0. No se recortan a 0..255. (De float a uint8 fuera de rango no está definido: evítalo.)",
            "en": "From an integer tensor to uint8, values wrap around modulo 256: 300 → 44, -1 → 255, "
            "256 → 0. They are not clamped to 0..255. (Float to uint8 out of range is undefined: avoid it.)",
        }
        return code, variants, explanation, ()

    def _to_bool(self, rng: random.Random):
        if rng.random() < 0.5:
            values = ["0", str(rng.randint(2, 9)), str(-rng.randint(1, 5))] + rng.sample(["1", "0", "3"], 2)
        else:
            values = ["0.0", f"0.{rng.randint(1, 4)}", f"-{rng.randint(1, 3)}.5"] + rng.sample(
                ["1.0", "-0.0", "2.0"], 2
            )
        values = values[: rng.randint(4, 5)]
        rng.shuffle(values)
        data = f"torch.tensor([{', '.join(values)}])"
        cast = rng.choice([".to(torch.bool)", ".bool()"])
        code = f"x = {data}\nx{cast}"
        variants = [
            _v(f"x = {data}\nx == 1", "only_one_is_true"),
            _v(f"x = {data}\nx > 0", "negative_false"),
            _v(f"x = {data}\nx.round(){cast}", "small_is_false"),
        ]
        explanation = {
            "es": "A bool, todo valor distinto de cero es True (también los negativos y 0.1) y solo el "
            "cero (0, 0.0, -0.0) es False.",
            "en": "To bool, every nonzero value is True (negatives and 0.1 included) and only zero "
            "(0, 0.0, -0.0) is False.",
        }
        return code, variants, explanation, ()

    def _from_bool(self, rng: random.Random):
        flags = [rng.choice(["True", "False"]) for _ in range(rng.randint(3, 4))]
        flags[0], flags[1] = "True", "False"
        rng.shuffle(flags)
        data = f"torch.tensor([{', '.join(flags)}])"
        to_float = rng.random() < 0.5
        cast = (
            rng.choice([".float()", ".to(torch.float32)"])
            if to_float
            else rng.choice([".int()", ".long()", ".to(torch.uint8)"])
        )
        # Always some arithmetic: a typed answer is compared by value, so [1, 0], [1.0, 0.0]
        # and [true, false] would all count as the same answer.
        scale = rng.choice([" * 3", " + 1", " * 2", " + 2"])
        code = f"m = {data}\nm{cast}{scale}"
        variants = [
            _v(f"m = {data}\n(0 - m{'.float()' if to_float else '.long()'}){scale}", "true_is_minus_one"),
            _v(f"m = {data}\nm.logical_not(){cast}{scale}", "true_is_zero"),
        ]
        explanation = {
            "es": "De bool a número, True vale 1 y False vale 0, en el dtype pedido (1.0 y 0.0 si es float).",
            "en": "From bool to a number, True is 1 and False is 0, in the requested dtype (1.0 and 0.0 for a float).",
        }
        ones = [(1.0 if f == "True" else 0.0) if to_float else int(f == "True") for f in flags]
        return code, variants, explanation, (json.dumps(ones),)

    def _exact(self, rng: random.Random):
        values = [f"{rng.randint(1, 6) * rng.choice([-1, 1])}.0" for _ in range(rng.randint(3, 4))]
        data = f"torch.tensor([{', '.join(values)}])"
        cast = _int_cast(rng)
        code = f"x = {data}\nx{cast}"
        variants = [
            _v(f"x = {data}\n(x - 0.001){cast}", "imprecise_float"),
            _v(f"x = {data}\n(x - 0.001 * x.sign()){cast}", "imprecise_toward_zero"),
        ]
        explanation = {
            "es": "Los enteros pequeños se representan exactamente en float, así que 3.0 pasa a 3 y -2.0 a -2: "
            "truncar no les quita nada.",
            "en": "Small integers are exact in float, so 3.0 becomes 3 and -2.0 becomes -2: truncation takes "
            "nothing away.",
        }
        nums = [int(float(v)) for v in values]
        return code, variants, explanation, (json.dumps([n - 1 for n in nums]), json.dumps([n + 1 for n in nums]))

    def _not_in_place(self, rng: random.Random):
        values = [_decimal(rng, rng.choice([-1, 1])) for _ in range(3)]
        data = f"torch.tensor([{', '.join(values)}])"
        cast = _int_cast(rng)
        code = f"x = {data}\nx{cast}\nx"
        variants = [
            _v(f"x = {data}\nx{cast}", "to_in_place"),
            _v(f"x = {data}\nx.trunc()", "to_in_place_keeps_float"),
            _v(f"x = {data}\nx.round(){cast}", "rounds"),
            _v(f"x = {data}\nx.floor(){cast}", "floors"),
            _v(f"x = {data}\nx.ceil(){cast}", "ceils"),
        ]
        explanation = {
            "es": ".to() (y .int(), .long()...) devuelve un tensor nuevo; x no cambia si no reasignas: "
            "x = x.to(torch.int64).",
            "en": ".to() (and .int(), .long()...) returns a new tensor; x doesn't change unless you "
            "reassign it: x = x.to(torch.int64).",
        }
        return code, variants, explanation, (json.dumps([round(float(v)) for v in values]),)


FAMILY = ToCasts()
