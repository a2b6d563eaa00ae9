"""Losses and their contracts: CrossEntropyLoss's target (int64 class indices
of shape (N,), or float probabilities of shape (N, C)), reduction, softmax's
dim, MSELoss's values, BCELoss against BCEWithLogitsLoss.

Every input is written out in the code; the answers come from running the
snippets.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled

ORDER = 22

_LABELS = {
    "none_reduces": {
        "es": "creer que reduction='none' da un solo número (da una pérdida por muestra)",
        "en": "thinking reduction='none' gives one number (it gives one loss per sample)",
    },
    "mean_keeps_batch": {
        "es": "creer que reduction='mean' o 'sum' deja una pérdida por muestra (da un solo número)",
        "en": "thinking reduction='mean' or 'sum' leaves one loss per sample (it gives one number)",
    },
    "none_per_class": {
        "es": "creer que reduction='none' da una pérdida por clase (da una por muestra)",
        "en": "thinking reduction='none' gives one loss per class (it gives one per sample)",
    },
    "float_indices_ok": {
        "es": "creer que CrossEntropyLoss acepta índices de clase float (deben ser int64)",
        "en": "thinking CrossEntropyLoss accepts float class indices (they must be int64)",
    },
    "int32_indices_ok": {
        "es": "creer que CrossEntropyLoss acepta índices de clase int32 (deben ser int64)",
        "en": "thinking CrossEntropyLoss accepts int32 class indices (they must be int64)",
    },
    "int_one_hot_ok": {
        "es": "creer que un objetivo one-hot int64 sirve como probabilidades (deben ser float)",
        "en": "thinking an int64 one-hot target works as probabilities (they must be float)",
    },
    "probabilities_rejected": {
        "es": "creer que el objetivo debe ser de índices int64 (también acepta probabilidades float de forma (N, C))",
        "en": "thinking the target must be int64 indices (float probabilities of shape (N, C) work too)",
    },
    "target_one_hot": {
        "es": "creer que el objetivo debe ser one-hot como la entrada (son índices de clase)",
        "en": "thinking the target must be one-hot like the input (it holds class indices)",
    },
    "sum_is_mean": {
        "es": "confundir reduction='sum' con la media",
        "en": "mixing up reduction='sum' with the mean",
    },
    "mean_is_sum": {
        "es": "creer que la reducción por defecto suma (divide entre el número de elementos)",
        "en": "thinking the default reduction sums (it divides by the number of elements)",
    },
    "mse_is_abs": {
        "es": "creer que MSELoss toma el valor absoluto de las diferencias (las eleva al cuadrado)",
        "en": "thinking MSELoss takes the absolute differences (it squares them)",
    },
    "softmax_other_dim": {
        "es": "confundir el dim de softmax: los valores que suman 1 son los que recorre dim",
        "en": "mixing up softmax's dim: the values that sum to 1 are those along dim",
    },
    "softmax_whole": {
        "es": "creer que softmax normaliza el tensor entero (normaliza a lo largo de dim)",
        "en": "thinking softmax normalises the whole tensor (it normalises along dim)",
    },
    "bce_takes_logits": {
        "es": "creer que BCELoss aplica la sigmoide (espera probabilidades; BCEWithLogitsLoss la aplica)",
        "en": "thinking BCELoss applies the sigmoid (it expects probabilities; BCEWithLogitsLoss applies it)",
    },
    "int_target_ok": {
        "es": "creer que las pérdidas binarias aceptan un objetivo int64 (debe ser float)",
        "en": "thinking the binary losses accept an int64 target (it must be float)",
    },
}

_SHAPE_PROMPT = {"es": "¿Qué forma tiene la pérdida?", "en": "What is the shape of the loss?"}
_VALUES_PROMPT = {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"}
_FLAGS_PROMPT = {
    "es": "¿Suman 1 las filas de p (rows)? ¿Y sus columnas (cols)?",
    "en": "Do the rows of p sum to 1 (rows)? Do its columns (cols)?",
}

_RULES = {
    "cross_entropy": {
        "es": "nn.CrossEntropyLoss recibe logits de forma (N, C) y un objetivo de índices de clase de forma (N,) "
        "y tipo int64 (también acepta uint8; índices int32 o float lanzan RuntimeError), o de probabilidades: "
        "un objetivo float de forma (N, C) (uno int64 de esa forma lanza RuntimeError). reduction='none' da una "
        "pérdida por muestra, forma (N,); 'mean' (por defecto) y 'sum' dan un tensor 0-d, forma ().",
        "en": "nn.CrossEntropyLoss takes logits of shape (N, C) and a target of class indices of shape (N,) and "
        "dtype int64 (uint8 is accepted too; int32 or float indices raise RuntimeError), or of probabilities: a "
        "float target of shape (N, C) (an int64 one of that shape raises RuntimeError). reduction='none' gives "
        "one loss per sample, shape (N,); 'mean' (the default) and 'sum' give a 0-d tensor, shape ().",
    },
    "mse": {
        "es": "nn.MSELoss eleva al cuadrado cada diferencia: reduction='none' las deja (una por elemento), 'sum' "
        "las suma y 'mean' (por defecto) divide la suma entre el número de elementos.",
        "en": "nn.MSELoss squares each difference: reduction='none' keeps them (one per element), 'sum' adds them "
        "and 'mean' (the default) divides the sum by the number of elements.",
    },
    "softmax": {
        "es": "torch.softmax(x, dim=d) hace que sumen 1 los valores a lo largo de d: en un tensor 2-D, dim=1 "
        "(o -1) cada fila, dim=0 (o -2) cada columna.",
        "en": "torch.softmax(x, dim=d) makes the values along d sum to 1: on a 2-D tensor, dim=1 (or -1) each "
        "row, dim=0 (or -2) each column.",
    },
    "bce": {
        "es": "nn.BCELoss espera probabilidades: una entrada fuera de [0, 1] lanza RuntimeError. "
        "nn.BCEWithLogitsLoss espera logits (cualquier número real) y aplica la sigmoide. Las dos piden un "
        "objetivo float con la forma de la entrada (uno int64 lanza RuntimeError); reduction='none' da una "
        "pérdida por elemento, 'mean' (por defecto) y 'sum' la forma ().",
        "en": "nn.BCELoss expects probabilities: an input outside [0, 1] raises RuntimeError. "
        "nn.BCEWithLogitsLoss expects logits (any real number) and applies the sigmoid itself. Both need a "
        "float target shaped like the input (an int64 one raises RuntimeError); reduction='none' gives one "
        "loss per element, 'mean' (the default) and 'sum' the shape ().",
    },
}

_v = labelled(_LABELS)


def _floats(values: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.1f}" for v in values) + "]"


def _reduction(name: str) -> str:
    return "" if name == "mean" else f"reduction='{name}'"


@dataclass(frozen=True)
class Losses:
    name: str = "losses"
    title = {
        "es": "Pérdidas: CrossEntropyLoss, MSELoss, BCE y el dim de softmax",
        "en": "Losses: CrossEntropyLoss, MSELoss, BCE and softmax's dim",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["cross_entropy", "mse", "softmax", "bce"], weights=[4, 2, 2, 2.5])[0]
        kind, code, variants, fallbacks, prompt = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=prompt,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice="RuntimeError" if kind == AnswerKind.SHAPE else "",
        )

    # -- styles --------------------------------------------------------------
    def _cross_entropy(self, rng: random.Random):
        n = rng.choice([2, 3])
        c = rng.choice([s for s in (3, 4, 5) if s != n])
        logits = [[rng.randint(-20, 20) / 10 for _ in range(c)] for _ in range(n)]
        classes = [rng.randrange(c) for _ in range(n)]
        one_hot = [[1 if j == k else 0 for j in range(c)] for k in classes]
        target_kind = rng.choices(["indices", "probabilities", "float_indices", "int32", "int_one_hot"],
                                  weights=[4, 2, 1, 0.75, 0.75])[0]  # fmt: skip
        target = {
            "indices": f"torch.tensor({classes})",
            "probabilities": f"torch.tensor({[[float(v) for v in row] for row in one_hot]})",
            "float_indices": f"torch.tensor({[float(k) for k in classes]})",
            "int32": f"torch.tensor({classes}, dtype=torch.int32)",
            "int_one_hot": f"torch.tensor({one_hot})",
        }[target_kind]
        reduction = rng.choice(["none", "mean", "sum"])
        logits_line = "logits = torch.tensor([" + ", ".join(_floats(row) for row in logits) + "])"

        def call(target: str = target, reduction: str = reduction) -> str:
            return (
                f"{logits_line}\ntarget = {target}\n"
                f"loss = nn.CrossEntropyLoss({_reduction(reduction)})(logits, target)\nloss.shape"
            )

        variants: list[Variant] = []
        if reduction == "none":
            variants.append(_v(call(reduction="mean"), "none_reduces"))
            per_class = f"{logits_line}\ntarget = {target}\nloss = -F.log_softmax(logits, dim=1)\nloss.shape"
            variants.append(_v(per_class, "none_per_class"))
        else:
            variants.append(_v(call(reduction="none"), "mean_keeps_batch"))
        fix = {
            "float_indices": ("target.long()", "float_indices_ok"),
            "int32": ("target.long()", "int32_indices_ok"),
            "int_one_hot": ("target.float()", "int_one_hot_ok"),
            "probabilities": ("target.long()", "probabilities_rejected"),
            "indices": (f"F.one_hot(target, {c})", "target_one_hot"),
        }[target_kind]
        variants.append(_v(call(f"{target}\ntarget = {fix[0]}"), fix[1]))
        fallbacks = [format_shape([n, c]), format_shape([n]), "()", format_shape([c])]
        return AnswerKind.SHAPE, call(), variants, fallbacks, _SHAPE_PROMPT

    def _mse(self, rng: random.Random):
        n = rng.choice([2, 4])
        while True:
            target = [rng.randint(0, 3) for _ in range(n)]
            diffs = [rng.randint(-3, 3) for _ in range(n)]
            if any(abs(d) >= 2 for d in diffs):  # else the absolute value would square the same
                break
        pred = [t + d for t, d in zip(target, diffs, strict=True)]
        reduction = rng.choice(["none", "mean", "sum"])
        setup = f"pred = torch.tensor({_floats(pred)})\ntarget = torch.tensor({_floats(target)})"

        def call(reduction: str = reduction, loss: str = "MSELoss") -> str:
            return f"{setup}\nnn.{loss}({_reduction(reduction)})(pred, target)"

        variants = [_v(call(loss="L1Loss"), "mse_is_abs")]
        if reduction == "none":
            variants.append(_v(call("mean"), "none_reduces"))
        elif reduction == "sum":
            variants += [_v(call("mean"), "sum_is_mean"), _v(call("none"), "mean_keeps_batch")]
        else:
            variants += [_v(call("sum"), "mean_is_sum"), _v(call("none"), "mean_keeps_batch")]
        squares = [float(d * d) for d in diffs]
        fallbacks = [
            json.dumps(sum(squares) / n if reduction != "mean" else sum(squares)),
            json.dumps([float(d) for d in diffs]),
            json.dumps(float(sum(diffs) ** 2)),
            json.dumps(sum(squares) / (n - 1)),
        ]
        return AnswerKind.VALUES, call(), variants, fallbacks, _VALUES_PROMPT

    def _softmax(self, rng: random.Random):
        n, m = rng.choice([(2, 3), (3, 2), (2, 4), (3, 4)])
        x = [[float(rng.randint(-3, 3)) for _ in range(m)] for _ in range(n)]
        dim = rng.choice([0, 1, -1, -2])
        line = "x = torch.tensor([" + ", ".join(_floats(row) for row in x) + "])"
        checks = (
            f"rows = torch.allclose(p.sum(dim=1), torch.ones({n}))\n"
            f"cols = torch.allclose(p.sum(dim=0), torch.ones({m}))\n(rows, cols)"
        )

        def call(p: str) -> str:
            return f"{line}\np = {p}\n{checks}"

        other = {0: 1, 1: 0, -1: 0, -2: 1}[dim]
        variants = [
            _v(call(f"torch.softmax(x, dim={other})"), "softmax_other_dim"),
            _v(call(f"torch.softmax(x.flatten(), dim=0).reshape({n}, {m})"), "softmax_whole"),
        ]
        fallbacks = [json.dumps([True, True]), json.dumps([False, False]), json.dumps([True, False])]
        return AnswerKind.VALUES, call(f"torch.softmax(x, dim={dim})"), variants, fallbacks, _FLAGS_PROMPT

    def _bce(self, rng: random.Random):
        n = rng.choice([2, 3, 4])
        loss = rng.choice(["BCELoss", "BCEWithLogitsLoss"])
        probabilities = loss == "BCELoss" and rng.random() < 0.6
        if probabilities:
            z = [rng.randint(1, 9) / 10 for _ in range(n)]
        else:  # logits: some outside [0, 1]
            z = [rng.randint(-30, 30) / 10 for _ in range(n)]
            z[rng.randrange(n)] = rng.choice([-1, 1]) * rng.randint(12, 30) / 10
        labels = [rng.randint(0, 1) for _ in range(n)]
        int_target = rng.random() < 0.15
        target = f"torch.tensor({labels})" if int_target else f"torch.tensor({_floats(labels)})"
        reduction = rng.choice(["none", "mean", "sum"])
        setup = f"z = torch.tensor({_floats(z)})\ny = {target}"

        def call(loss: str = loss, reduction: str = reduction, y: str = "y") -> str:
            return f"{setup}\nnn.{loss}({_reduction(reduction)})(z, {y}).shape"

        variants = [_v(call(reduction="mean" if reduction == "none" else "none"),
                       "none_reduces" if reduction == "none" else "mean_keeps_batch")]  # fmt: skip
        if loss == "BCELoss" and not probabilities:
            variants.append(_v(call("BCEWithLogitsLoss"), "bce_takes_logits"))
        if int_target:
            variants.append(_v(call(y="y.float()"), "int_target_ok"))
        fallbacks = [format_shape([n]), "()", format_shape([1]), format_shape([n, 1])]
        return AnswerKind.SHAPE, call(), variants, fallbacks, _SHAPE_PROMPT


FAMILY = Losses()
