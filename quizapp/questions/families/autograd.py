"""Autograd: x.grad after backward, accumulation, leaves, requires_grad, no_grad.

Gradients are asked at a point with small integer coefficients, so the answer
is a short number or list (kind values: JSON of the values, "14.0" for a
0-dim tensor). Misconception variants evaluate the derivative the learner
would write (power factor forgotten, chain rule forgotten...) with torch.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant

ORDER = 13

_LABELS = {
    "power_factor_forgotten": {
        "es": "olvidar el factor del exponente: d(c·x^p)/dx = c·x^(p-1)",
        "en": "forgetting the exponent factor: d(c·x^p)/dx = c·x^(p-1)",
    },
    "value_not_derivative": {
        "es": "dar el valor de y en vez de su derivada",
        "en": "giving the value of y instead of its derivative",
    },
    "linear_term_dropped": {
        "es": "olvidar la derivada del término lineal",
        "en": "forgetting the derivative of the linear term",
    },
    "constant_kept": {
        "es": "creer que la constante sumada aporta al gradiente",
        "en": "thinking the added constant contributes to the gradient",
    },
    "chain_factor_forgotten": {
        "es": "olvidar el factor interior de la regla de la cadena",
        "en": "forgetting the inner factor of the chain rule",
    },
    "mean_factor_forgotten": {
        "es": "olvidar el 1/n de la media",
        "en": "forgetting the 1/n of the mean",
    },
    "grad_summed": {
        "es": "creer que el gradiente de un vector es un escalar",
        "en": "thinking the gradient of a vector is a scalar",
    },
    "grad_is_input": {
        "es": "confundir el gradiente con el propio x",
        "en": "confusing the gradient with x itself",
    },
    "grad_not_accumulated": {
        "es": "creer que cada backward sustituye el gradiente en vez de sumarse",
        "en": "thinking each backward replaces the gradient instead of adding to it",
    },
    "second_backward_ignored": {
        "es": "creer que solo cuenta el primer backward",
        "en": "thinking only the first backward counts",
    },
    "zero_ignored": {
        "es": "ignorar x.grad.zero_(): creer que el gradiente sigue acumulado",
        "en": "ignoring x.grad.zero_(): thinking the gradient stays accumulated",
    },
    "graph_kept": {
        "es": "creer que el grafo sigue disponible tras el primer backward",
        "en": "thinking the graph is still there after the first backward",
    },
    "graph_rebuilt_ignored": {
        "es": "creer que repetir backward en un bucle falla, aunque cada vuelta construye un grafo nuevo",
        "en": "thinking a backward repeated in a loop fails, though each pass builds a new graph",
    },
    "retain_graph_ignored": {
        "es": "ignorar retain_graph=True: creer que el segundo backward falla",
        "en": "ignoring retain_graph=True: thinking the second backward fails",
    },
    "backward_any_shape": {
        "es": "creer que backward() sin argumentos vale para salidas no escalares",
        "en": "thinking backward() without arguments works for non-scalar outputs",
    },
    "result_taken_for_leaf": {
        "es": "creer que el resultado de una operación también es una hoja",
        "en": "thinking the result of an operation is a leaf too",
    },
    "requires_grad_not_leaf": {
        "es": "creer que un tensor con requires_grad=True deja de ser hoja",
        "en": "thinking a tensor with requires_grad=True is not a leaf",
    },
    "untracked_result_not_leaf": {
        "es": "creer que todo resultado de una operación es no-hoja, aunque no se registre el grafo",
        "en": "thinking every result of an operation is a non-leaf, even when no graph is recorded",
    },
    "requires_grad_not_propagated": {
        "es": "creer que requires_grad no pasa a los resultados",
        "en": "thinking requires_grad does not pass on to results",
    },
    "no_grad_ignored": {
        "es": "ignorar torch.no_grad(): creer que el resultado sigue en el grafo",
        "en": "ignoring torch.no_grad(): thinking the result is still in the graph",
    },
    "detach_keeps_grad": {
        "es": "creer que detach() conserva requires_grad",
        "en": "thinking detach() keeps requires_grad",
    },
    "nonleaf_grad_kept": {
        "es": "creer que los tensores intermedios guardan .grad (sin retain_grad)",
        "en": "thinking intermediate tensors keep .grad (without retain_grad)",
    },
}

_GRAD_RULE = {
    "es": "y.backward() deja en x.grad la derivada dy/dx evaluada en x: se aplican la regla de "
    "la potencia (c·x^p -> c·p·x^(p-1)) y la de la cadena; las constantes sumadas no aportan.",
    "en": "y.backward() stores in x.grad the derivative dy/dx evaluated at x: the power rule "
    "(c·x^p -> c·p·x^(p-1)) and the chain rule apply; added constants contribute nothing.",
}
_VECTOR_RULE = {
    "es": "Para una salida escalar y = f(x) con x vector, x.grad tiene la forma de x: cada "
    "elemento es dy/dx_i; la media divide cada derivada entre n.",
    "en": "For a scalar output y = f(x) with x a vector, x.grad has the shape of x: each "
    "element is dy/dx_i; a mean divides every derivative by n.",
}
_ACCUM_RULE = {
    "es": "Cada backward() suma su gradiente al que ya hay en x.grad (se acumula); para "
    "empezar de cero hay que vaciarlo con x.grad.zero_() (o optimizer.zero_grad()).",
    "en": "Each backward() adds its gradient to what is already in x.grad (it accumulates); to "
    "start from zero, clear it with x.grad.zero_() (or optimizer.zero_grad()).",
}
_GRAPH_RULE = {
    "es": "backward() libera los tensores que el grafo guardó (x para x ** 2) al terminar: un segundo "
    "backward sobre el mismo grafo lanza RuntimeError salvo que el primero use retain_graph=True. "
    "Si el grafo no guardó ninguno (y = x + 1), el segundo funciona y vuelve a sumar en x.grad. "
    "backward() sin argumentos exige una salida escalar.",
    "en": "backward() frees the tensors the graph saved (x for x ** 2) when done: a second backward "
    "through the same graph raises RuntimeError unless the first used retain_graph=True. If the graph "
    "saved none (y = x + 1), the second one works and adds to x.grad again. backward() without "
    "arguments needs a scalar output.",
}
_LEAF_RULE = {
    "es": "Son hojas los tensores creados por el usuario (con o sin requires_grad) y los "
    "resultados de operaciones que no se registran en el grafo; el resultado de una operación "
    "sobre un tensor con requires_grad=True no es hoja y hereda requires_grad=True.",
    "en": "Leaves are tensors created by the user (with or without requires_grad) and results of "
    "operations that are not recorded in the graph; the result of an operation on a tensor with "
    "requires_grad=True is not a leaf and inherits requires_grad=True.",
}
_NO_GRAD_RULE = {
    "es": "Dentro de torch.no_grad() no se registra el grafo: los resultados tienen "
    "requires_grad=False; detach() también devuelve un tensor sin requires_grad.",
    "en": "Inside torch.no_grad() no graph is recorded: results have requires_grad=False; "
    "detach() also returns a tensor without requires_grad.",
}
_NONLEAF_GRAD_RULE = {
    "es": "backward() solo rellena .grad de las hojas con requires_grad=True; un tensor "
    "intermedio tiene .grad None salvo que se llame a retain_grad() antes.",
    "en": "backward() only fills .grad of leaves with requires_grad=True; an intermediate "
    "tensor's .grad is None unless retain_grad() was called before.",
}

_GRAD_PROMPT = {"es": "¿Cuánto vale x.grad? (o ¿qué error lanza?)", "en": "What is x.grad? (or which error is raised?)"}
_PAIR_PROMPT = {
    "es": "¿Qué devuelve la última línea? (un par de valores)",
    "en": "What does the last line return? (a pair of values)",
}


@dataclass(frozen=True)
class Autograd:
    name: str = "autograd"
    title = {"es": "Autograd: gradientes, hojas y no_grad", "en": "Autograd: gradients, leaves and no_grad"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        styles = {
            "poly": (_poly, 3),
            "chain": (_chain, 2),
            "vector": (_vector, 3),
            "accumulate": (_accumulate, 3),
            "twice": (_twice, 2),
            "non_scalar": (_non_scalar, 1),
            "flags": (_flags, 5),
        }
        names = list(styles)
        style = rng.choices(names, weights=[styles[n][1] for n in names])[0]
        return styles[style][0](rng)


def _num(value: float) -> str:
    """A 0-dim tensor's value in canonical form (fallbacks only)."""
    return json.dumps(round(float(value), 4))


def _values(values: list[float]) -> str:
    return json.dumps([round(float(v), 4) for v in values])


def _term(coef: int, body: str) -> str:
    return body if coef == 1 else f"{coef} * {body}"


def _power(p: int) -> str:
    return "x" if p == 1 else f"x ** {p}"


def _values_draft(code: str, variants: list[tuple[str, str]], rule: dict, fallbacks: list[str]) -> Draft:
    return Draft(
        code=code,
        answer_kind=AnswerKind.VALUES,
        prompt=_GRAD_PROMPT,
        error_choice="RuntimeError",
        explanation=rule,
        variants=tuple(Variant(c, key, _LABELS[key]) for c, key in variants),
        fallbacks=tuple(fallbacks),
    )


def _point(rng: random.Random) -> str:
    return rng.choice(["1.0", "2.0", "3.0", "-1.0", "-2.0", "0.5"])


def _poly(rng: random.Random) -> Draft:
    v = _point(rng)
    c, p = rng.choice([1, 2, 3]), rng.choice([2, 3])
    d, e = rng.choice([0, 1, 2, 4]), rng.choice([0, 0, 1, 5])
    terms = [_term(c, _power(p))] + ([_term(d, "x")] if d else []) + ([str(e)] if e else [])
    y = " + ".join(terms)
    code = f"x = torch.tensor({v}, requires_grad=True)\ny = {y}\ny.backward()\nx.grad"
    point = f"x = torch.tensor({v})\n"
    right = _term(c * p, _power(p - 1))
    variants = [
        (point + " + ".join([_term(c, _power(p - 1))] + ([str(d)] if d else [])), "power_factor_forgotten"),
        (point + y, "value_not_derivative"),
    ]
    if e:
        variants.append((point + " + ".join([right] + ([str(d)] if d else []) + [str(e)]), "constant_kept"))
    elif d:
        variants.append((point + right, "linear_term_dropped"))
    x = float(v)
    exact = c * p * x ** (p - 1) + d
    return _values_draft(code, variants, _GRAD_RULE, [_num(exact * 2), _num(exact + 1), _num(c * p * x**p), "0.0"])


def _chain(rng: random.Random) -> Draft:
    v = _point(rng)
    a, b = rng.choice([2, 3]), rng.choice([-1, 1, 2])
    inner = f"{a} * x + {b}" if b > 0 else f"{a} * x - {-b}"
    code = f"x = torch.tensor({v}, requires_grad=True)\ny = ({inner}) ** 2\ny.backward()\nx.grad"
    point = f"x = torch.tensor({v})\n"
    variants = [
        (point + f"2 * ({inner})", "chain_factor_forgotten"),
        (point + f"({inner}) ** 2", "value_not_derivative"),
        (point + f"{a} * ({inner})", "power_factor_forgotten"),
    ]
    x = float(v)
    exact = 2 * a * (a * x + b)
    return _values_draft(code, variants, _GRAD_RULE, [_num(exact / 2), _num(2 * exact), _num(2 * a * x)])


def _vector(rng: random.Random) -> Draft:
    n = rng.randint(2, 4)
    xs = [float(rng.randint(-2, 4)) for _ in range(n)]
    data = "[" + ", ".join(str(x) for x in xs) + "]"
    head = f"x = torch.tensor({data}, requires_grad=True)\n"
    point = f"x = torch.tensor({data})\n"
    form = rng.choice(["sum_sq", "mean_sq", "weighted"])
    if form == "sum_sq":
        y = "(x ** 2).sum()"
        variants = [
            (point + "x ** 2", "value_not_derivative"),
            (point + "x", "power_factor_forgotten"),
            (point + "(2 * x).sum()", "grad_summed"),
        ]
        fallbacks = [_values([2 * x / n for x in xs]), _values([2 * x + 1 for x in xs])]
    elif form == "mean_sq":
        y = "(x ** 2).mean()"
        variants = [
            (point + "2 * x", "mean_factor_forgotten"),
            (point + f"(2 * x / {n}).sum()", "grad_summed"),
            (point + f"x ** 2 / {n}", "value_not_derivative"),
        ]
        fallbacks = [_values([x / n for x in xs]), _values([2 * x for x in xs])]
    else:
        ws = [float(rng.randint(1, 5)) for _ in range(n)]
        weights = "[" + ", ".join(str(w) for w in ws) + "]"
        y = "(x * w).sum()"
        head = f"w = torch.tensor({weights})\n" + head
        point = f"w = torch.tensor({weights})\n" + point
        variants = [
            (point + "x", "grad_is_input"),
            (point + "w.sum()", "grad_summed"),
            (point + "x * w", "value_not_derivative"),
        ]
        fallbacks = [_values([w * x for w, x in zip(ws, xs)]), _values([1.0] * n)]
    code = f"{head}y = {y}\ny.backward()\nx.grad"
    return _values_draft(code, variants, _VECTOR_RULE, fallbacks + ["0.0"])


def _accumulate(rng: random.Random) -> Draft:
    v = _point(rng)
    x = float(v)
    head = f"x = torch.tensor({v}, requires_grad=True)\n"
    form = rng.choice(["loop", "two", "zeroed"])
    if form == "loop":
        k = rng.randint(2, 4)
        code = f"{head}for i in range({k}):\n    y = x ** 2\n    y.backward()\nx.grad"
        variants = [
            (f"{head}y = x ** 2\ny.backward()\nx.grad", "grad_not_accumulated"),
            (f"{head}y = x ** 2\nfor i in range({k}):\n    y.backward()\nx.grad", "graph_rebuilt_ignored"),
        ]
        return _values_draft(code, variants, _ACCUM_RULE, [_num(2 * x * (k + 1)), _num((2 * x) ** k), _num(k * x * x)])
    c = rng.choice([3, 4, 5])
    first, second = "(x ** 2).backward()", f"({c} * x).backward()"
    if form == "two":
        code = f"{head}{first}\n{second}\nx.grad"
        variants = [
            (f"{head}{second}\nx.grad", "grad_not_accumulated"),
            (f"{head}{first}\nx.grad", "second_backward_ignored"),
        ]
        return _values_draft(code, variants, _ACCUM_RULE, [_num(2 * x * c), _num(x * x + c * x), "0.0"])
    code = f"{head}{first}\nx.grad.zero_()\n{second}\nx.grad"
    variants = [
        (f"{head}{first}\n{second}\nx.grad", "zero_ignored"),
        (f"{head}{first}\nx.grad", "second_backward_ignored"),
    ]
    return _values_draft(code, variants, _ACCUM_RULE, ["0.0", _num(2 * x * c), _num(c * x)])


def _twice(rng: random.Random) -> Draft:
    v = _point(rng)
    x = float(v)
    head = f"x = torch.tensor({v}, requires_grad=True)\n"
    p = rng.choice([2, 3])
    y = f"y = x ** {p}\n"
    once = p * x ** (p - 1)
    if rng.random() < 0.6:
        code = f"{head}{y}y.backward()\ny.backward()\nx.grad"
        variants = [
            (f"{head}{y}y.backward(retain_graph=True)\ny.backward()\nx.grad", "graph_kept"),
            (f"{head}{y}y.backward()\nx.grad", "grad_not_accumulated"),
        ]
        return _values_draft(code, variants, _GRAPH_RULE, [_num(2 * once), _num(once), "0.0"])
    code = f"{head}{y}y.backward(retain_graph=True)\ny.backward()\nx.grad"
    variants = [
        (f"{head}{y}y.backward()\ny.backward()\nx.grad", "retain_graph_ignored"),
        (f"{head}{y}y.backward()\nx.grad", "grad_not_accumulated"),
    ]
    return _values_draft(code, variants, _GRAPH_RULE, ["RuntimeError", _num(once), _num(4 * once)])


def _non_scalar(rng: random.Random) -> Draft:
    n = rng.randint(2, 4)
    xs = [float(rng.randint(1, 4)) for _ in range(n)]
    data = "[" + ", ".join(str(x) for x in xs) + "]"
    c = rng.choice([2, 3])
    head = f"x = torch.tensor({data}, requires_grad=True)\ny = {c} * x\n"
    code = f"{head}y.backward()\nx.grad"
    variants = [
        (f"{head}y.sum().backward()\nx.grad", "backward_any_shape"),
        (f"x = torch.tensor({data})\n({c} * x).sum()", "grad_summed"),
    ]
    return _values_draft(code, variants, _GRAPH_RULE, [_values([float(c)] * n), _values([c * x for x in xs])])


def _flags(rng: random.Random) -> Draft:
    v = _point(rng)
    head = f"x = torch.tensor({v}, requires_grad=True)\n"
    c = rng.choice([2, 3, 5])
    form = rng.choice(
        ["result_leaf", "input_leaf", "untracked_leaf", "propagated", "no_grad", "detach", "nonleaf_grad"]
    )
    if form == "result_leaf":
        code, rule = f"{head}y = x * {c}\ny.is_leaf", _LEAF_RULE
        variants = [(f"{head}y = x * {c}\nx.is_leaf", "result_taken_for_leaf")]
    elif form == "input_leaf":
        code, rule = f"{head}y = x * {c}\nx.is_leaf", _LEAF_RULE
        variants = [(f"{head}y = x * {c}\ny.is_leaf", "requires_grad_not_leaf")]
    elif form == "untracked_leaf":
        n = rng.randint(2, 4)
        code, rule = f"w = torch.ones({n})\nv = w * {c}\nv.is_leaf", _LEAF_RULE
        variants = [(f"w = torch.ones({n}, requires_grad=True)\nv = w * {c}\nv.is_leaf", "untracked_result_not_leaf")]
    elif form == "propagated":
        code, rule = f"{head}y = x * {c} + 1\ny.requires_grad", _LEAF_RULE
        variants = [(f"x = torch.tensor({v})\ny = x * {c} + 1\ny.requires_grad", "requires_grad_not_propagated")]
    elif form == "no_grad":
        code, rule = f"{head}with torch.no_grad():\n    y = x * {c}\ny.requires_grad", _NO_GRAD_RULE
        variants = [(f"{head}y = x * {c}\ny.requires_grad", "no_grad_ignored")]
    elif form == "detach":
        code, rule = f"{head}y = (x * {c}).detach()\ny.requires_grad", _NO_GRAD_RULE
        variants = [(f"{head}y = x * {c}\ny.requires_grad", "detach_keeps_grad")]
    else:
        code, rule = f"{head}y = x * {c}\nz = y ** 2\nz.backward()\ny.grad is None", _NONLEAF_GRAD_RULE
        variants = [
            (f"{head}y = x * {c}\ny.retain_grad()\nz = y ** 2\nz.backward()\ny.grad is None", "nonleaf_grad_kept")
        ]
    # Two flags at once: four answers to choose from, none of them a give-away.
    code = _flag_pair(code)
    return Draft(
        code=code,
        answer_kind=AnswerKind.VALUES,
        prompt=_PAIR_PROMPT,
        explanation=rule,
        variants=tuple(Variant(_flag_pair(c), key, _LABELS[key]) for c, key in variants),
        fallbacks=tuple(json.dumps([a, b]) for a in (True, False) for b in (True, False)),
    )


def _flag_pair(code: str) -> str:
    """The snippet asking for two flags of the same tensor instead of one:
    ``y.is_leaf`` becomes ``(y.requires_grad, y.is_leaf)``; ``y.grad is
    None`` becomes ``(y.grad is None, x.grad is None)``."""
    head, last = code.rsplit("\n", 1)
    if last.endswith(".grad is None"):
        return f"{head}\n({last}, x.grad is None)"
    name = last.split(".", 1)[0]
    return f"{head}\n({name}.requires_grad, {name}.is_leaf)"


FAMILY = Autograd()
