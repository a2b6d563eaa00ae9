"""torch.manual_seed: which draws repeat after seeding, and which continue the stream."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import labelled

ORDER = 6

_LABELS = {
    "no_reseed": {"es": "no ver el segundo manual_seed", "en": "overlooking the second manual_seed"},
    "seed_fixes_every_draw": {
        "es": "creer que con una semilla fija cada sorteo da lo mismo",
        "en": "thinking a fixed seed makes every draw the same",
    },
    "reseed_skips_used": {
        "es": "creer que al volver a fijar la semilla se sigue tras lo ya sorteado",
        "en": "thinking re-seeding resumes after the values already drawn",
    },
    "other_seed": {
        "es": "confundirlo con lo que sale con otra semilla",
        "en": "confusing it with what another seed gives",
    },
}

_VALUES_PROMPT = {
    "es": "¿Cuál es el resultado? (floats redondeados a 4 decimales)",
    "en": "What is the result? (floats rounded to 4 decimal places)",
}
_PAIR_PROMPT = {"es": "¿Qué devuelven las dos comparaciones?", "en": "What do the two comparisons return?"}
_RULE = {
    "es": "torch.manual_seed(s) reinicia el generador: los sorteos que siguen se repiten igual y en el "
    "mismo orden. Sin volver a fijar la semilla, cada sorteo continúa la secuencia y da valores nuevos; tras "
    "fijar de nuevo la semilla, un sorteo más pequeño da los primeros valores de la misma secuencia.",
    "en": "torch.manual_seed(s) restarts the generator: the draws that follow repeat exactly, in the "
    "same order. Without re-seeding, each draw continues the stream with new values; after re-seeding, "
    "a smaller draw gives the first values of the same stream.",
}
_EQUAL_RULE = {
    "es": _RULE["es"] + " torch.equal compara forma y valores: con formas distintas da False, sin error.",
    "en": _RULE["en"] + " torch.equal compares shape and values: different shapes give False, not an error.",
}


_v = labelled(_LABELS)


@dataclass(frozen=True)
class _Sampler:
    """One random function and its arguments, e.g. torch.randint(0, 10, (3,))."""

    kind: str
    low: int = 0
    high: int = 10

    def __call__(self, n: int) -> str:
        if self.kind == "randint":
            return f"torch.randint({self.low}, {self.high}, ({n},))"
        return f"torch.{self.kind}({n})"


def _program(ops: Sequence[tuple[Any, ...]], draw: _Sampler, last: str) -> str:
    """ops: ("seed", s) or ("draw", name or None, n); None draws and discards."""
    lines = []
    for op in ops:
        if op[0] == "seed":
            lines.append(f"torch.manual_seed({op[1]})")
        elif op[1] is None:
            lines.append(draw(op[2]))
        else:
            lines.append(f"{op[1]} = {draw(op[2])}")
    return "\n".join(lines + [last])


#: Floats: two draws are never equal by chance, so an equality follows the rule.
_NO_TIES = _Sampler("rand")


@dataclass(frozen=True)
class SeededRandom:
    name: str = "seeded_random"
    title = {"es": "Semillas: qué sorteos se repiten", "en": "Seeds: which draws repeat"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        s = rng.randint(0, 99)
        t = s + rng.randint(1, 9)
        style = rng.choices(["stream", "pairs", "sizes", "sizes_equal"], weights=[4, 3, 2, 1.5])[0]
        if style in ("stream", "pairs"):
            draw = rng.choice(
                [
                    _Sampler("randint", 0, 10),
                    _Sampler("randint", 1, 7),
                    _Sampler("randint", 0, 100),
                    _Sampler("rand"),
                    _Sampler("randn"),
                ]
            )
            n = 3 if draw.kind == "randint" else 2
            a, b, c = ("draw", "a", n), ("draw", "b", n), ("draw", "c", n)
            seed_s, seed_t, skip = ("seed", s), ("seed", t), ("draw", None, n)
            if rng.random() < 0.5:  # re-seeded before the third draw: [A, B, A]
                ops = [seed_s, a, b, seed_s, c]
                wrong: dict[str, list[tuple[Any, ...]]] = {
                    "no_reseed": [seed_s, a, b, c],
                    "seed_fixes_every_draw": [seed_s, a, seed_s, b, seed_s, c],
                    "reseed_skips_used": [seed_s, a, b, seed_s, skip, c],
                    "other_seed": [seed_s, a, b, seed_t, c],
                }
            else:  # re-seeded before the second draw: [A, A, B]
                ops = [seed_s, a, seed_s, b, c]
                wrong = {
                    "no_reseed": [seed_s, a, b, c],
                    "seed_fixes_every_draw": [seed_s, a, seed_s, b, seed_s, c],
                    "other_seed": [seed_s, a, seed_t, b, c],
                }
            if style == "stream":
                last = "torch.stack([a, b, c])"
                fallbacks: tuple[str, ...] = ()
            else:
                last = rng.choice(
                    [
                        "torch.equal(a, b), torch.equal(a, c)",
                        "torch.equal(a, c), torch.equal(b, c)",
                        "torch.equal(a, b), torch.equal(b, c)",
                    ]
                )
                fallbacks = tuple(
                    json.dumps(pair) for pair in ([True, False], [False, True], [False, False], [True, True])
                )
            return Draft(
                code=_program(ops, draw, last),
                answer_kind=AnswerKind.VALUES,
                prompt=_VALUES_PROMPT if style == "stream" else _PAIR_PROMPT,
                explanation=_RULE if style == "stream" else _EQUAL_RULE,
                variants=tuple(_v(_program(o, draw, last), k) for k, o in wrong.items()),
                fallbacks=fallbacks,
                control=_program(ops, _NO_TIES, last) if style == "pairs" else "",
            )
        # Different sizes: after re-seeding, a smaller draw repeats the start of the stream.
        draw = rng.choice([_Sampler("randint", 0, 10), _Sampler("randint", 0, 100), _Sampler("rand")])
        big, small = rng.choice([(4, 2), (3, 2), (4, 3)])
        a, b = ("draw", "a", big), ("draw", "b", small)
        seed_s = ("seed", s)
        ops = [seed_s, a, seed_s, b]
        wrong = {
            "no_reseed": [seed_s, a, b],
            "reseed_skips_used": [seed_s, a, seed_s, ("draw", None, big - small), b],
            "other_seed": [seed_s, a, ("seed", t), b],
        }
        if style == "sizes":
            last, kind, prompt, rule, fallbacks = "a, b", AnswerKind.VALUES, _VALUES_PROMPT, _RULE, ()
        else:  # two comparisons at once: four answers to choose from
            first, second = rng.sample(
                [f"torch.equal(a[:{small}], b)", "torch.equal(a, b)", f"torch.equal(a[-{small}:], b)"], 2
            )
            last, kind, prompt, rule = f"{first}, {second}", AnswerKind.VALUES, _PAIR_PROMPT, _EQUAL_RULE
            fallbacks = tuple(json.dumps([x, y]) for x in (True, False) for y in (True, False))
        return Draft(
            code=_program(ops, draw, last),
            answer_kind=kind,
            prompt=prompt,
            explanation=rule,
            variants=tuple(_v(_program(o, draw, last), k) for k, o in wrong.items()),
            fallbacks=fallbacks,
            control=_program(ops, _NO_TIES, last) if style == "sizes_equal" else "",
        )


FAMILY = SeededRandom()
