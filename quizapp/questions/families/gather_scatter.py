"""Indexing by tensors of indices: gather, scatter_add, index_select, take.

Small tensors are written out in the code, so the learner can follow each
index; the answers come from running the snippets.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, format_shape
from quizapp.questions.snippets import labelled

ORDER = 20

_LABELS = {
    "gather_other_dim": {
        "es": "confundir el dim de gather: con dim=1 el índice elige la columna dentro de cada fila",
        "en": "mixing up gather's dim: with dim=1 the index picks the column within each row",
    },
    "gather_as_select": {
        "es": "creer que gather toma filas enteras como index_select",
        "en": "thinking gather takes whole rows like index_select",
    },
    "gather_shape_of_input": {
        "es": "creer que gather da la forma de la entrada (da la forma del índice)",
        "en": "thinking gather gives the input's shape (it gives the index's shape)",
    },
    "scatter_overwrites": {
        "es": "creer que scatter_add sobrescribe los índices repetidos en vez de sumarlos",
        "en": "thinking scatter_add overwrites repeated indices instead of adding them",
    },
    "scatter_counts": {
        "es": "creer que scatter_add cuenta las veces que aparece cada índice",
        "en": "thinking scatter_add counts how often each index appears",
    },
    "select_other_dim": {
        "es": "confundir el dim de index_select: dim=0 elige filas, dim=1 columnas",
        "en": "mixing up index_select's dim: dim=0 picks rows, dim=1 columns",
    },
    "take_by_rows": {
        "es": "creer que take elige filas (indexa el tensor aplanado)",
        "en": "thinking take picks rows (it indexes the flattened tensor)",
    },
}

_PROMPTS = {
    AnswerKind.VALUES: {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"},
    AnswerKind.SHAPE: {"es": "¿Qué forma tiene el resultado?", "en": "What is the shape of the result?"},
}

_RULES = {
    "gather": {
        "es": "x.gather(dim, idx) da un tensor con la forma de idx: out[i][j] = x[idx[i][j]][j] con dim=0, "
        "y x[i][idx[i][j]] con dim=1. idx debe tener tantas dimensiones como x.",
        "en": "x.gather(dim, idx) gives a tensor shaped like idx: out[i][j] = x[idx[i][j]][j] with dim=0, "
        "and x[i][idx[i][j]] with dim=1. idx must have as many dimensions as x.",
    },
    "scatter_add": {
        "es": "out.scatter_add(0, idx, src) suma cada src[i] en out[idx[i]]: los índices repetidos se "
        "acumulan (scatter, sin _add, dejaría uno solo).",
        "en": "out.scatter_add(0, idx, src) adds each src[i] into out[idx[i]]: repeated indices "
        "accumulate (scatter, without _add, would keep only one).",
    },
    "index_select": {
        "es": "x.index_select(dim, idx) toma las posiciones idx a lo largo de dim, enteras: con dim=0 "
        "filas, con dim=1 columnas; los índices pueden repetirse.",
        "en": "x.index_select(dim, idx) takes the positions idx along dim, whole: rows with dim=0, "
        "columns with dim=1; indices may repeat.",
    },
    "take": {
        "es": "torch.take(x, idx) trata x como si estuviera aplanado (orden de filas) y da la forma de idx.",
        "en": "torch.take(x, idx) treats x as if flattened (row by row) and gives idx's shape.",
    },
}

_v = labelled(_LABELS)


def _matrix(rng: random.Random, n: int, m: int) -> list[list[int]]:
    flat = rng.sample(range(10, 60), n * m)  # distinct two-digit values: each one says where it came from
    return [flat[i * m : (i + 1) * m] for i in range(n)]


@dataclass(frozen=True)
class GatherScatter:
    name: str = "gather_scatter"
    title = {
        "es": "Índices como tensores: gather, scatter_add, index_select, take",
        "en": "Index tensors: gather, scatter_add, index_select, take",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["gather", "scatter_add", "index_select", "take"], weights=[3, 2, 2, 1.5])[0]
        kind, code, variants, fallbacks = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=_PROMPTS[kind],
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice="RuntimeError" if kind == AnswerKind.SHAPE else "",
        )

    # -- styles --------------------------------------------------------------
    def _gather(self, rng: random.Random):
        n, m = rng.choice([(2, 3), (3, 3), (3, 2)])
        x = _matrix(rng, n, m)
        dim = rng.choice([0, 1])
        k = rng.choice([1, 2])
        if dim == 1:
            idx = [[rng.randrange(m) for _ in range(k)] for _ in range(n)]
        else:
            idx = [[rng.randrange(n) for _ in range(m)] for _ in range(k)]
        setup = f"x = torch.tensor({x})\nidx = torch.tensor({idx})"
        if rng.random() < 0.25:  # the shape: idx's, not x's
            code = f"{setup}\nx.gather({dim}, idx).shape"
            variants = [_v(f"{setup}\nx.shape", "gather_shape_of_input")]
            if dim == 0 and k <= n:
                variants.append(_v(f"{setup}\nx.index_select(0, idx[:, 0]).shape", "gather_as_select"))
            fallbacks = [format_shape([len(idx[0]), len(idx)]), format_shape([len(idx) * len(idx[0])])]
            return AnswerKind.SHAPE, code, variants, fallbacks
        code = f"{setup}\nx.gather({dim}, idx)"
        other = 1 - dim
        variants = []
        if all(v < (n if other == 0 else m) for row in idx for v in row):
            variants.append(_v(f"{setup}\nx.gather({other}, idx)", "gather_other_dim"))
        flat = [v for row in idx for v in row]
        if all(v < n for v in flat):
            variants.append(_v(f"{setup}\nx.index_select(0, idx.reshape(-1))", "gather_as_select"))
        # Plausible misreadings: the indices themselves, the values at the same places, every index
        # read in the first row (dim=1) or the first column (dim=0).
        first = [[x[0][v] for v in row] for row in idx] if dim == 1 else [[x[v][0] for v in row] for row in idx]
        fallbacks = [json.dumps(idx), json.dumps([row[: len(idx[0])] for row in x[: len(idx)]]), json.dumps(first)]
        return AnswerKind.VALUES, code, variants, fallbacks

    def _scatter_add(self, rng: random.Random):
        size = rng.choice([3, 4])
        count = rng.choice([4, 5])
        idx = [rng.randrange(size) for _ in range(count)]
        while len(set(idx)) == count:  # at least one repeated index: the point of scatter_add
            idx[-1] = idx[0]
        src = [rng.randint(1, 9) for _ in range(count)]
        setup = f"idx = torch.tensor({idx})\nsrc = torch.tensor({src})"
        code = f"{setup}\ntorch.zeros({size}, dtype=torch.int64).scatter_add(0, idx, src)"
        variants = [
            _v(f"{setup}\ntorch.zeros({size}, dtype=torch.int64).scatter(0, idx, src)", "scatter_overwrites"),
            _v(f"{setup}\ntorch.bincount(idx, minlength={size})", "scatter_counts"),
        ]
        return AnswerKind.VALUES, code, variants, [json.dumps(src[:size]), json.dumps([sum(src)] + [0] * (size - 1))]

    def _index_select(self, rng: random.Random):
        n, m = rng.choice([(3, 3), (3, 4), (4, 3)])
        x = _matrix(rng, n, m)
        dim = rng.choice([0, 1])
        limit = min(n, m)
        idx = rng.sample(range(limit), 2) if rng.random() < 0.7 else [rng.randrange(limit)] * 2
        setup = f"x = torch.tensor({x})\nidx = torch.tensor({idx})"
        code = f"{setup}\nx.index_select({dim}, idx)"
        variants = [
            _v(f"{setup}\nx.index_select({1 - dim}, idx)", "select_other_dim"),
            _v(f"{setup}\ntorch.take(x, idx)", "take_by_rows"),
        ]
        fallbacks = [json.dumps([x[i][i] for i in idx]), json.dumps(x[idx[0]]), json.dumps([row[idx[0]] for row in x])]
        return AnswerKind.VALUES, code, variants, fallbacks

    def _take(self, rng: random.Random):
        n, m = rng.choice([(2, 3), (3, 3), (2, 4)])
        x = _matrix(rng, n, m)
        idx = rng.sample(range(n * m), 2)
        setup = f"x = torch.tensor({x})\nidx = torch.tensor({idx})"
        code = f"{setup}\ntorch.take(x, idx)"
        # Picking rows instead: whole rows, or an IndexError past the last row.
        variants = [_v(f"{setup}\nx[idx]", "take_by_rows")]
        column_major = [x[i % n][i // n] if i // n < m else x[0][0] for i in idx]  # reading column by column
        fallbacks = [
            json.dumps(column_major),
            json.dumps([x[0][i % m] for i in idx]),
            json.dumps([x[i % n][0] for i in idx]),
            "IndexError",
        ]
        return AnswerKind.VALUES, code, variants, fallbacks


FAMILY = GatherScatter()
