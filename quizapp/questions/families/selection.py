"""Selecting values: where, masked_fill, topk, sort, argmax with dim, cumsum, nonzero.

Every snippet works on a small tensor written out in the code, so the
learner can answer from what they see; the answers come from running it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import labelled

ORDER = 16

_LABELS = {
    "where_keeps_condition": {
        "es": "creer que where devuelve la condición (True/False) en vez de los valores",
        "en": "thinking where returns the condition (True/False) instead of the values",
    },
    "where_swapped": {
        "es": "intercambiar los dos valores de where: el primero es para True",
        "en": "swapping where's two values: the first is for True",
    },
    "mask_inverted": {
        "es": "creer que masked_fill rellena donde la máscara es False",
        "en": "thinking masked_fill fills where the mask is False",
    },
    "masked_fill_in_place": {
        "es": "creer que masked_fill cambia el tensor en el sitio (eso es masked_fill_)",
        "en": "thinking masked_fill changes the tensor in place (that is masked_fill_)",
    },
    "topk_smallest": {
        "es": "creer que topk da los k menores",
        "en": "thinking topk gives the k smallest",
    },
    "values_for_indices": {
        "es": "confundir los valores con los índices",
        "en": "confusing the values with the indices",
    },
    "indices_for_values": {
        "es": "confundir los índices con los valores",
        "en": "confusing the indices with the values",
    },
    "sort_descending": {
        "es": "creer que sort ordena de mayor a menor por defecto",
        "en": "thinking sort orders from largest to smallest by default",
    },
    "argmax_other_dim": {
        "es": "confundir el dim de argmax: dim=0 recorre las filas y da un índice por columna",
        "en": "mixing up argmax's dim: dim=0 runs down the rows, one index per column",
    },
    "argmax_flat": {
        "es": "creer que argmax con dim da el índice en el tensor aplanado",
        "en": "thinking argmax with dim gives the index in the flattened tensor",
    },
    "cumsum_total": {
        "es": "creer que cumsum da la suma total repetida",
        "en": "thinking cumsum gives the total sum, repeated",
    },
    "cumsum_other_dim": {
        "es": "acumular a lo largo de la otra dimensión",
        "en": "accumulating along the other dimension",
    },
    "cumsum_exclusive": {
        "es": "creer que cumsum no incluye el elemento actual (empieza en 0)",
        "en": "thinking cumsum leaves out the current element (starts at 0)",
    },
    "nonzero_flat": {
        "es": "creer que nonzero da un índice plano por elemento, forma (k,)",
        "en": "thinking nonzero gives one flat index per element, shape (k,)",
    },
    "nonzero_transposed": {
        "es": "creer que nonzero da una fila por dimensión, forma (ndim, k)",
        "en": "thinking nonzero gives one row per dimension, shape (ndim, k)",
    },
    "nonzero_counts_all": {
        "es": "creer que nonzero devuelve una fila por cada elemento",
        "en": "thinking nonzero returns a row for every element",
    },
}

_VALUES_PROMPT = {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"}
_SHAPE_PROMPT = {"es": "¿Qué forma tiene el resultado?", "en": "What is the shape of the result?"}

_RULES = {
    "where": {
        "es": "torch.where(cond, a, b) toma a donde cond es True y b donde es False, elemento a elemento "
        "(los escalares hacen broadcasting); con un solo argumento, torch.where(cond) da los índices.",
        "en": "torch.where(cond, a, b) takes a where cond is True and b where it is False, element by "
        "element (scalars broadcast); with one argument, torch.where(cond) gives the indices.",
    },
    "masked_fill": {
        "es": "x.masked_fill(mask, v) devuelve un tensor nuevo con v donde la máscara es True; x no cambia. "
        "x.masked_fill_(mask, v), con guion bajo, cambia x en el sitio.",
        "en": "x.masked_fill(mask, v) returns a new tensor with v where the mask is True; x doesn't change. "
        "x.masked_fill_(mask, v), with the underscore, changes x in place.",
    },
    "topk": {
        "es": "torch.topk(x, k) da los k mayores, de mayor a menor (largest=False da los menores), como un "
        "par (values, indices): indices son las posiciones en x.",
        "en": "torch.topk(x, k) gives the k largest, from largest down (largest=False gives the smallest), "
        "as a pair (values, indices): indices are positions in x.",
    },
    "sort": {
        "es": "x.sort() ordena de menor a mayor (descending=True al revés) y devuelve (values, indices); "
        "indices dice de qué posición de x vino cada valor.",
        "en": "x.sort() orders from smallest to largest (descending=True the other way) and returns "
        "(values, indices); indices say which position of x each value came from.",
    },
    "argmax": {
        "es": "argmax(dim=d) elimina la dimensión d: con dim=0 da, para cada columna, la fila de su máximo; "
        "con dim=1, para cada fila, la columna. Sin dim da un índice del tensor aplanado.",
        "en": "argmax(dim=d) removes dimension d: dim=0 gives, for each column, the row of its maximum; "
        "dim=1, for each row, the column. Without dim it gives an index into the flattened tensor.",
    },
    "cumsum": {
        "es": "cumsum(dim) deja en cada posición la suma de los elementos hasta ella, incluida, a lo largo "
        "de dim; la forma no cambia.",
        "en": "cumsum(dim) puts at each position the sum of the elements up to and including it, along "
        "dim; the shape doesn't change.",
    },
    "nonzero": {
        "es": "torch.nonzero(x) da una fila por elemento distinto de cero con sus coordenadas: forma "
        "(k, x.ndim). as_tuple=True da en cambio una tupla de ndim tensores de forma (k,).",
        "en": "torch.nonzero(x) gives one row per non-zero element with its coordinates: shape "
        "(k, x.ndim). as_tuple=True gives a tuple of ndim tensors of shape (k,) instead.",
    },
}

_v = labelled(_LABELS)


def _row(rng: random.Random, n: int, low: int = 0, high: int = 9, distinct: bool = False) -> list[int]:
    if distinct:
        return rng.sample(range(low, high + 1), n)
    return [rng.randint(low, high) for _ in range(n)]


@dataclass(frozen=True)
class Selection:
    name: str = "selection"
    title = {
        "es": "Seleccionar valores: where, topk, sort, argmax, cumsum",
        "en": "Selecting values: where, topk, sort, argmax, cumsum",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(
            ["where", "masked_fill", "topk", "sort", "argmax", "cumsum", "nonzero"],
            weights=[2, 1.5, 2, 1.5, 2, 1.5, 1.5],
        )[0]
        kind, code, variants, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=_SHAPE_PROMPT if kind == AnswerKind.SHAPE else _VALUES_PROMPT,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
        )

    # -- styles --------------------------------------------------------------
    def _where(self, rng: random.Random):
        values = _row(rng, rng.randint(4, 5), -4, 4)
        t = rng.choice([0, 1, 2])
        op = rng.choice([">", ">=", "<"])
        other = rng.choice([0, -1, 10])
        setup = f"x = torch.tensor({values})"
        cond = f"x {op} {t}"
        if rng.random() < 0.5:
            expr = f"torch.where({cond}, x, {other})"
            swapped = f"torch.where({cond}, {other}, x)"
        else:
            expr = f"torch.where({cond}, {other}, x)"
            swapped = f"torch.where({cond}, x, {other})"
        variants = [
            _v(f"{setup}\n{swapped}", "where_swapped"),
            _v(f"{setup}\n({cond}).long()", "where_keeps_condition"),
        ]
        fallbacks = [json.dumps(values), json.dumps([other] * len(values))]
        return AnswerKind.VALUES, f"{setup}\n{expr}", variants, fallbacks

    def _masked_fill(self, rng: random.Random):
        values = _row(rng, rng.randint(4, 5), 0, 9, distinct=True)
        t = rng.choice([3, 4, 5])
        fill = rng.choice([0, -1, 100])
        setup = f"x = torch.tensor({values})"
        mask = f"x > {t}"
        if rng.random() < 0.6:
            code = f"{setup}\nx.masked_fill({mask}, {fill})"
            variants = [
                _v(f"{setup}\nx.masked_fill(~({mask}), {fill})", "mask_inverted"),
                _v(f"{setup}\nx", "masked_fill_in_place"),
            ]
        else:  # not in place: x afterwards
            code = f"{setup}\ny = x.masked_fill({mask}, {fill})\nx"
            variants = [
                _v(f"{setup}\nx.masked_fill_({mask}, {fill})\nx", "masked_fill_in_place"),
                _v(f"{setup}\nx.masked_fill_(~({mask}), {fill})\nx", "mask_inverted"),
            ]
        fallbacks = [json.dumps([fill] * len(values)), json.dumps(values)]
        return AnswerKind.VALUES, code, variants, fallbacks

    def _topk(self, rng: random.Random):
        values = _row(rng, rng.randint(5, 6), 0, 20, distinct=True)
        k = rng.choice([2, 3])
        setup = f"x = torch.tensor({values})"
        field = rng.choice(["values", "indices"])
        code = f"{setup}\ntorch.topk(x, {k}).{field}"
        other = "indices" if field == "values" else "values"
        variants = [
            _v(f"{setup}\ntorch.topk(x, {k}, largest=False).{field}", "topk_smallest"),
            _v(
                f"{setup}\ntorch.topk(x, {k}).{other}",
                "indices_for_values" if field == "values" else "values_for_indices",
            ),
            _v(f"{setup}\ntorch.topk(x, {k}, largest=False).{other}", "topk_smallest"),
        ]
        return AnswerKind.VALUES, code, variants, [json.dumps(values[:k]), json.dumps(list(range(k)))]

    def _sort(self, rng: random.Random):
        values = _row(rng, rng.randint(4, 5), 0, 9, distinct=True)
        setup = f"x = torch.tensor({values})"
        field = rng.choice(["values", "indices", "indices"])
        descending = rng.random() < 0.3
        flag = ", descending=True" if descending else ""
        code = f"{setup}\nx.sort({flag.lstrip(', ')}).{field}"
        other = "indices" if field == "values" else "values"
        variants = [
            _v(
                f"{setup}\nx.sort({'' if descending else 'descending=True'}).{field}",
                "sort_descending",
            ),
            _v(
                f"{setup}\nx.sort({flag.lstrip(', ')}).{other}",
                "indices_for_values" if field == "values" else "values_for_indices",
            ),
        ]
        fallbacks = [json.dumps(values), json.dumps(list(range(len(values))))]
        return AnswerKind.VALUES, code, variants, fallbacks

    def _argmax(self, rng: random.Random):
        n, m = rng.choice([(2, 3), (3, 2), (3, 3), (2, 4)])
        flat = rng.sample(range(0, 20), n * m)  # distinct: no tie decides the answer
        rows = [flat[i * m : (i + 1) * m] for i in range(n)]
        dim = rng.choice([0, 1])
        setup = f"x = torch.tensor({rows})"
        code = f"{setup}\nx.argmax(dim={dim})"
        variants = [
            _v(f"{setup}\nx.argmax(dim={1 - dim})", "argmax_other_dim"),
            _v(f"{setup}\nx.argmax().repeat({[m, n][dim]})", "argmax_flat"),
            _v(f"{setup}\nx.max(dim={dim}).values", "values_for_indices"),
        ]
        fallbacks = [json.dumps([0] * [m, n][dim]), json.dumps(list(range([m, n][dim])))]
        return AnswerKind.VALUES, code, variants, fallbacks

    def _cumsum(self, rng: random.Random):
        if rng.random() < 0.5:
            values = _row(rng, rng.randint(3, 5), 0, 6)
            setup = f"x = torch.tensor({values})"
            code = f"{setup}\nx.cumsum(dim=0)"
            variants = [
                _v(f"{setup}\nx.sum().repeat({len(values)})", "cumsum_total"),
                _v(f"{setup}\nx.cumsum(dim=0) - x", "cumsum_exclusive"),
            ]
            fallbacks = [json.dumps(values), json.dumps(values[::-1])]
            return AnswerKind.VALUES, code, variants, fallbacks
        n, m = rng.choice([(2, 3), (3, 2), (2, 2)])
        rows = [_row(rng, m, 0, 5) for _ in range(n)]
        dim = rng.choice([0, 1])
        setup = f"x = torch.tensor({rows})"
        code = f"{setup}\nx.cumsum(dim={dim})"
        variants = [
            _v(f"{setup}\nx.cumsum(dim={1 - dim})", "cumsum_other_dim"),
            _v(f"{setup}\nx.cumsum(dim={dim}) - x", "cumsum_exclusive"),
            _v(f"{setup}\nx.sum(dim={dim}, keepdim=True).expand({n}, {m})", "cumsum_total"),
        ]
        return AnswerKind.VALUES, code, variants, [json.dumps(rows)]

    def _nonzero(self, rng: random.Random):
        ndim = rng.choice([1, 2, 2])
        if ndim == 1:
            values = _row(rng, rng.randint(4, 6), 0, 2)
            if not any(values):
                values[0] = 1
            setup = f"x = torch.tensor({values})"
            size = len(values)
        else:
            n, m = rng.choice([(2, 3), (3, 2), (3, 3)])
            rows = [_row(rng, m, 0, 2) for _ in range(n)]
            if not any(any(r) for r in rows):
                rows[0][0] = 1
            setup = f"x = torch.tensor({rows})"
            size = n * m
        code = f"{setup}\ntorch.nonzero(x).shape"
        variants = [
            _v(f"{setup}\nx[x != 0].shape", "nonzero_flat"),
            _v(f"{setup}\ntorch.nonzero(x).T.shape", "nonzero_transposed"),
            _v(f"{setup}\ntorch.zeros({size}, {ndim}).shape", "nonzero_counts_all"),
        ]
        fallbacks = [format_shape([size]), format_shape([ndim]), format_shape([size, 1])]
        return AnswerKind.SHAPE, code, variants, fallbacks


FAMILY = Selection()
