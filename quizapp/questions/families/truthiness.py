"""Tensors as Python values: `if t:`, `and`/`or`, `.item()` and `.tolist()`.

A tensor of one element behaves as its number; with several elements, its
truth value is ambiguous and Python raises. Answers are the Python values
the snippets give, run by torch.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft
from quizapp.questions.snippets import labelled

ORDER = 19

_LABELS = {
    "truth_is_any": {
        "es": "creer que `if t:` pregunta si algún elemento es distinto de cero (eso es t.any())",
        "en": "thinking `if t:` asks whether any element is non-zero (that is t.any())",
    },
    "truth_is_all": {
        "es": "creer que `if t:` pregunta si todos los elementos son distintos de cero (eso es t.all())",
        "en": "thinking `if t:` asks whether every element is non-zero (that is t.all())",
    },
    "truth_is_nonempty": {
        "es": "creer que un tensor con elementos es verdadero, como una lista no vacía",
        "en": "thinking a tensor with elements is true, like a non-empty list",
    },
    "item_takes_first": {
        "es": "creer que .item() toma el primer elemento (solo vale para un elemento)",
        "en": "thinking .item() takes the first element (it only works for one element)",
    },
    "item_keeps_tensor": {
        "es": "creer que .item() devuelve un tensor 0-D (devuelve un número de Python)",
        "en": "thinking .item() returns a 0-d tensor (it returns a Python number)",
    },
    "and_elementwise": {
        "es": "creer que `and` opera elemento a elemento (eso es &)",
        "en": "thinking `and` works element by element (that is &)",
    },
    "and_gives_bool": {
        "es": "creer que `and` devuelve True/False (devuelve uno de sus operandos)",
        "en": "thinking `and` returns True/False (it returns one of its operands)",
    },
    "tolist_always_list": {
        "es": "creer que .tolist() siempre da una lista (de un tensor 0-D da un número)",
        "en": "thinking .tolist() always gives a list (a 0-d tensor gives a number)",
    },
    "tolist_flat": {
        "es": "creer que .tolist() aplana el tensor",
        "en": "thinking .tolist() flattens the tensor",
    },
}

_PROMPT = {
    "es": "¿Qué da la última línea? (o ¿qué error lanza?)",
    "en": "What does the last line give? (or which error does it raise?)",
}

_RULES = {
    "if": {
        "es": "bool(t) solo está definido para un tensor de un elemento (su número, distinto de cero es "
        "True); con varios elementos `if t:` lanza RuntimeError: di lo que quieres con t.any() o t.all().",
        "en": "bool(t) is only defined for a tensor of one element (its number, non-zero is True); with "
        "several elements `if t:` raises RuntimeError: say what you mean with t.any() or t.all().",
    },
    "item": {
        "es": ".item() convierte un tensor de un elemento en un número de Python (int o float según el "
        "dtype); con varios elementos lanza RuntimeError.",
        "en": ".item() turns a one-element tensor into a Python number (int or float by dtype); with several "
        "elements it raises RuntimeError.",
    },
    "and": {
        "es": "`a and b` llama a bool(a): si a tiene un elemento y es verdadero devuelve b, si es falso "
        "devuelve a; con varios elementos lanza RuntimeError. Para elemento a elemento usa a & b.",
        "en": "`a and b` calls bool(a): if a has one element and is true it returns b, if false it returns "
        "a; with several elements it raises RuntimeError. For element by element use a & b.",
    },
    "tolist": {
        "es": ".tolist() da listas anidadas como la forma del tensor; de un tensor 0-D da un número solo.",
        "en": ".tolist() gives lists nested like the tensor's shape; a 0-d tensor gives a bare number.",
    },
}

_v = labelled(_LABELS)


@dataclass(frozen=True)
class Truthiness:
    name: str = "truthiness"
    title = {
        "es": "Tensores como valores de Python: if, and, item, tolist",
        "en": "Tensors as Python values: if, and, item, tolist",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choice(["if", "if", "item", "and", "tolist"])
        code, variants, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.VALUES,
            prompt=_PROMPT,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice="RuntimeError",
        )

    # -- styles --------------------------------------------------------------
    def _if(self, rng: random.Random):
        size = rng.choice([1, 2, 3, 3])
        values = [rng.choice([0, 0, 1, 2]) for _ in range(size)]
        if size > 1 and rng.random() < 0.5:
            values[rng.randrange(size)] = 0  # some zero, some not: any and all disagree
            values[rng.randrange(size)] = rng.choice([1, 2])
        setup = f"t = torch.tensor({values})"

        def snippet(test: str) -> str:
            return f"{setup}\n'yes' if {test} else 'no'"

        variants = [
            _v(snippet("t.any()"), "truth_is_any"),
            _v(snippet("t.all()"), "truth_is_all"),
            _v(snippet("len(t) > 0"), "truth_is_nonempty"),
        ]
        # NumPy raises ValueError for the same ambiguity: a plausible fourth choice.
        return snippet("t"), variants, [json.dumps("yes"), json.dumps("no"), "RuntimeError", "ValueError"]

    def _item(self, rng: random.Random):
        size = rng.choice([1, 1, 3])
        floats = rng.random() < 0.5
        values = [rng.randint(1, 9) + (0.5 if floats else 0) for _ in range(size)]
        setup = f"t = torch.tensor({values})"
        code = f"{setup}\nt.item()"
        variants = [
            _v(f"{setup}\nt[0].item()", "item_takes_first"),
            _v(f"{setup}\nt.reshape(-1)[:1].tolist()", "item_keeps_tensor"),
        ]
        fallbacks = [json.dumps(values), "RuntimeError", "ValueError"]
        return code, variants, fallbacks

    def _and(self, rng: random.Random):
        size = rng.choice([1, 1, 2])
        a = [rng.choice([0, 1, 3]) for _ in range(size)]
        b = [rng.choice([0, 2, 5]) for _ in range(size)]
        setup = f"a = torch.tensor({a})\nb = torch.tensor({b})"
        code = f"{setup}\n(a and b).tolist()"
        variants = [
            _v(f"{setup}\n(a & b).tolist()", "and_elementwise"),
            _v(f"{setup}\nbool(a.all() and b.all())", "and_gives_bool"),
        ]
        return code, variants, [json.dumps(a), json.dumps(b), "ValueError", json.dumps(True)]

    def _tolist(self, rng: random.Random):
        form = rng.choice(["scalar", "matrix"])
        if form == "scalar":
            value = rng.randint(2, 9)
            setup = f"t = torch.tensor([{value}, {value + 1}]).sum()"
            code = f"{setup}\nt.tolist()"
            variants = [_v(f"{setup}\nt.reshape(1).tolist()", "tolist_always_list")]
            fallbacks = [
                json.dumps([[2 * value + 1]]),
                json.dumps([value, value + 1]),
                json.dumps(float(2 * value + 1)),
            ]
            return code, variants, fallbacks
        n, m = rng.choice([(2, 2), (2, 3), (3, 2)])
        rows = [[rng.randint(0, 9) for _ in range(m)] for _ in range(n)]
        setup = f"t = torch.tensor({rows})"
        code = f"{setup}\nt.tolist()"
        variants = [_v(f"{setup}\nt.reshape(-1).tolist()", "tolist_flat")]
        return code, variants, [json.dumps(rows[0]), json.dumps([rows])]


FAMILY = Truthiness()
