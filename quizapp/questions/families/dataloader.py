"""DataLoader over a TensorDataset: number of batches, the last batch's shape,
samples seen, with and without drop_last (always shuffle=False)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape

ORDER = 14

_LABELS = {
    "drop_last_ignored": {
        "es": "ignorar drop_last=True: contar también el último lote incompleto",
        "en": "ignoring drop_last=True: counting the last, incomplete batch too",
    },
    "floor_not_ceil": {
        "es": "redondear hacia abajo: olvidar el último lote incompleto (sin drop_last)",
        "en": "rounding down: forgetting the last, incomplete batch (without drop_last)",
    },
    "samples_not_batches": {
        "es": "contar muestras en vez de lotes",
        "en": "counting samples instead of batches",
    },
    "always_one_more": {
        "es": "sumar siempre un lote de más, aunque la división sea exacta",
        "en": "always adding one more batch, even when the division is exact",
    },
    "last_batch_full": {
        "es": "suponer que el último lote está lleno (batch_size elementos)",
        "en": "assuming the last batch is full (batch_size items)",
    },
    "first_sample": {
        "es": "leer last[0] como la primera muestra del lote, no como las entradas del lote",
        "en": "reading last[0] as the first sample of the batch, not as the batch's inputs",
    },
    "labels_taken": {
        "es": "confundir las entradas del lote (last[0]) con sus etiquetas (last[1])",
        "en": "confusing the batch's inputs (last[0]) with its labels (last[1])",
    },
    "batches_not_samples": {
        "es": "contar lotes en vez de muestras",
        "en": "counting batches instead of samples",
    },
}

_COUNT_RULE = {
    "es": "Un DataLoader da ceil(N / batch_size) lotes; con drop_last=True descarta el último "
    "lote incompleto y da floor(N / batch_size) (0 si batch_size > N).",
    "en": "A DataLoader yields ceil(N / batch_size) batches; with drop_last=True it drops the last, "
    "incomplete batch and yields floor(N / batch_size) (0 if batch_size > N).",
}
_SHAPE_RULE = {
    "es": "Cada lote es una lista [x_lote, y_lote] con la dimensión de lote delante; el último "
    "tiene N % batch_size muestras si la división no es exacta (y drop_last=False), o "
    "batch_size si lo es.",
    "en": "Each batch is a list [x_batch, y_batch] with the batch dimension first; the last one "
    "holds N % batch_size samples when the division isn't exact (and drop_last=False), or "
    "batch_size when it is.",
}
_SAMPLES_RULE = {
    "es": "Sin drop_last el DataLoader recorre las N muestras; con drop_last=True pierde las "
    "N % batch_size del último lote incompleto.",
    "en": "Without drop_last the DataLoader goes through all N samples; with drop_last=True it "
    "loses the N % batch_size of the last, incomplete batch.",
}


@dataclass(frozen=True)
class DataLoaderFamily:
    name: str = "dataloader"
    title = {"es": "DataLoader: lotes y drop_last", "en": "DataLoader: batches and drop_last"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.INT

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["count", "last_shape", "samples"], weights=[4, 4, 2])[0]
        big = rng.random() < 0.15  # batch_size larger than the dataset
        n = rng.randint(5, 20)
        if big:
            b = n + rng.randint(1, 8)
        else:
            b = rng.randint(2, 8)
            if n % b == 0 and rng.random() < 0.6:
                n += rng.randint(1, b - 1)  # mostly an incomplete last batch, sometimes exact
        features = rng.randint(2, 6)
        drop = rng.random() < 0.45
        if style == "last_shape" and drop and big:
            drop = False  # no batch at all: nothing to show
        return {"count": _count, "last_shape": _last_shape, "samples": _samples}[style](n, b, features, drop, rng)


def _loader(n: int, b: int, features: int, drop: bool, explicit: bool) -> str:
    """The dataset and loader lines."""
    flag = ", drop_last=True" if drop else (", drop_last=False" if explicit else "")
    return (
        f"x = torch.zeros({n}, {features})\n"
        f"y = torch.zeros({n})\n"
        "ds = torch.utils.data.TensorDataset(x, y)\n"
        f"loader = torch.utils.data.DataLoader(ds, batch_size={b}, shuffle=False{flag})"
    )


def _draft(
    kind: str,
    prompt: dict,
    rule: dict,
    n: int,
    b: int,
    features: int,
    drop: bool,
    explicit: bool,
    tail: str,
    variants: list[tuple[str, str]],
    toggled: str,
    fallbacks: list,
) -> Draft:
    """``tail`` after the loader; ``toggled`` names the variant with drop_last flipped
    (or, for "last_batch_full", with N rounded up to whole batches).

    Each other variant is (tail, mistake) after the same loader.
    """
    setup = _loader(n, b, features, drop, explicit)
    if toggled == "last_batch_full":
        pictured = _loader(math.ceil(n / b) * b, b, features, drop, explicit)
    else:
        pictured = _loader(n, b, features, not drop, explicit)
    built = [Variant(f"{pictured}\n{tail}", toggled, _LABELS[toggled])] if pictured != setup else []
    built += [Variant(f"{setup}\n{code}", key, _LABELS[key]) for code, key in variants]
    return Draft(
        code=f"{setup}\n{tail}",
        answer_kind=kind,
        prompt=prompt,
        explanation=rule,
        variants=tuple(built),
        fallbacks=tuple(f if isinstance(f, str) else format_shape(f) for f in fallbacks),
    )


def _count(n: int, b: int, features: int, drop: bool, rng: random.Random) -> Draft:
    prompt = {"es": "¿Cuántos lotes tiene el DataLoader?", "en": "How many batches does the DataLoader have?"}
    variants = [("len(ds)", "samples_not_batches"), (f"len(ds) // {b} + 1", "always_one_more")]
    toggled = "drop_last_ignored" if drop else "floor_not_ceil"
    fallbacks = [str(v) for v in (math.ceil(n / b) + 1, n // b + 2, max(n // b - 1, 0), b)]
    return _draft(
        AnswerKind.INT,
        prompt,
        _COUNT_RULE,
        n,
        b,
        features,
        drop,
        rng.random() < 0.5,
        "len(loader)",
        variants,
        toggled,
        fallbacks,
    )


def _last_shape(n: int, b: int, features: int, drop: bool, rng: random.Random) -> Draft:
    prompt = {
        "es": "¿Qué forma tiene last[0], las entradas del último lote?",
        "en": "What is the shape of last[0], the inputs of the last batch?",
    }
    loop = "for batch in loader:\n    last = batch\n"
    variants = [(f"{loop}last[0][0].shape", "first_sample"), (f"{loop}last[1].shape", "labels_taken")]
    toggled = "drop_last_ignored" if drop else "last_batch_full"
    fallbacks = [(b, features), (n % b or b, features), (n, features), (features, b)]
    return _draft(
        AnswerKind.SHAPE,
        prompt,
        _SHAPE_RULE,
        n,
        b,
        features,
        drop,
        rng.random() < 0.3,
        f"{loop}last[0].shape",
        variants,
        toggled,
        fallbacks,
    )


def _samples(n: int, b: int, features: int, drop: bool, rng: random.Random) -> Draft:
    prompt = {
        "es": "¿Cuántas muestras recorre el bucle en total?",
        "en": "How many samples does the loop go through in total?",
    }
    variants = [("len(loader)", "batches_not_samples"), (f"len(loader) * {b}", "last_batch_full")]
    toggled = "drop_last_ignored" if drop else "floor_not_ceil"
    fallbacks = [str(v) for v in (n, n - n % b, math.ceil(n / b) * b, n + 1)]
    return _draft(
        AnswerKind.INT,
        prompt,
        _SAMPLES_RULE,
        n,
        b,
        features,
        drop,
        rng.random() < 0.5,
        "sum(len(batch[0]) for batch in loader)",
        variants,
        toggled,
        fallbacks,
    )


FAMILY = DataLoaderFamily()
