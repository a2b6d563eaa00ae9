"""model.train() and model.eval(): what Dropout and BatchNorm do in each mode,
which modules a call reaches, and that torch.no_grad() changes neither.

Dropout's draws are seeded and its input holds 64 equal values, so the
distinct values it leaves follow from the rule alone (a control run with
another seed must agree); the answers come from running the snippets.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled

ORDER = 23

_LABELS = {
    "eval_still_drops": {
        "es": "creer que Dropout sigue apagando valores en modo eval (en eval es la identidad)",
        "en": "thinking Dropout still zeroes values in eval mode (in eval it is the identity)",
    },
    "train_is_identity": {
        "es": "creer que Dropout no hace nada en modo train (un módulo nuevo está en train y apaga valores)",
        "en": "thinking Dropout does nothing in train mode (a new module is in train mode and zeroes values)",
    },
    "no_rescale": {
        "es": "creer que Dropout no reescala lo que sobrevive (lo multiplica por 1/(1-p))",
        "en": "thinking Dropout doesn't rescale what survives (it multiplies it by 1/(1-p))",
    },
    "no_grad_is_eval": {
        "es": "creer que torch.no_grad() pone el modelo en modo eval (no cambia el modo)",
        "en": "thinking torch.no_grad() puts the model in eval mode (it doesn't change the mode)",
    },
    "eval_updates_stats": {
        "es": "creer que BatchNorm actualiza sus estadísticas en modo eval (en eval las usa sin tocarlas)",
        "en": "thinking BatchNorm updates its statistics in eval mode (in eval it uses them untouched)",
    },
    "train_keeps_stats": {
        "es": "creer que BatchNorm no actualiza sus estadísticas en modo train",
        "en": "thinking BatchNorm doesn't update its statistics in train mode",
    },
    "stats_replaced": {
        "es": "creer que running_mean pasa a ser la media del lote (se mueve un 10 % hacia ella: momentum=0.1)",
        "en": "thinking running_mean becomes the batch mean (it moves 10% towards it: momentum=0.1)",
    },
    "single_sample_ok": {
        "es": "creer que BatchNorm en modo train acepta un lote de una sola muestra",
        "en": "thinking BatchNorm in train mode accepts a batch of a single sample",
    },
    "eval_needs_batch": {
        "es": "creer que BatchNorm en modo eval también necesita más de una muestra",
        "en": "thinking BatchNorm in eval mode also needs more than one sample",
    },
    "eval_not_recursive": {
        "es": "creer que eval()/train() solo cambian el módulo al que se llaman (llegan a todos sus submódulos)",
        "en": "thinking eval()/train() only change the module they are called on (they reach every submodule)",
    },
    "child_sets_parent": {
        "es": "creer que train()/eval() de un submódulo cambia también al modelo que lo contiene",
        "en": "thinking train()/eval() on a submodule also changes the model that holds it",
    },
    "train_false_is_train": {
        "es": "creer que train(False) pone el modo train (equivale a eval())",
        "en": "thinking train(False) sets train mode (it is the same as eval())",
    },
}

_VALUES_PROMPT = {"es": "¿Qué valores da la última línea?", "en": "What values does the last line give?"}
_SHAPE_PROMPT = {"es": "¿Qué forma tiene el resultado?", "en": "What is the shape of the result?"}
_FLAGS_PROMPT = {
    "es": "¿Qué valen model.training y model[1].training al final?",
    "en": "What are model.training and model[1].training at the end?",
}

_RULES = {
    "dropout": {
        "es": "Un módulo nuevo está en modo train. En train, nn.Dropout(p) pone a 0 cada valor con probabilidad p "
        "y multiplica los demás por 1/(1-p) (p=0.5: por 2); en eval (tras model.eval()) es la identidad. "
        "torch.no_grad() no cambia el modo.",
        "en": "A new module is in train mode. In train mode nn.Dropout(p) sets each value to 0 with probability p "
        "and multiplies the others by 1/(1-p) (p=0.5: by 2); in eval mode (after model.eval()) it is the "
        "identity. torch.no_grad() doesn't change the mode.",
    },
    "running_mean": {
        "es": "En modo train, cada pasada de nn.BatchNorm1d mueve running_mean hacia la media del lote: "
        "running_mean = 0.9 * running_mean + 0.1 * media (momentum=0.1; empieza en 0), también dentro de "
        "torch.no_grad(). En modo eval no la cambia.",
        "en": "In train mode every pass through nn.BatchNorm1d moves running_mean towards the batch mean: "
        "running_mean = 0.9 * running_mean + 0.1 * mean (momentum=0.1; it starts at 0), inside "
        "torch.no_grad() too. In eval mode it leaves it alone.",
    },
    "batch_of_one": {
        "es": "En modo train, nn.BatchNorm1d necesita más de un valor por canal para calcular la media del lote: "
        "un lote de una muestra lanza ValueError. En modo eval usa running_mean y running_var, y una muestra "
        "basta.",
        "en": "In train mode nn.BatchNorm1d needs more than one value per channel to compute the batch's "
        "statistics: a batch of one sample raises ValueError. In eval mode it uses running_mean and "
        "running_var, and one sample is enough.",
    },
    "flags": {
        "es": "model.train() y model.eval() ponen .training en el módulo y en todos sus submódulos; train(False) "
        "es eval(). Llamados sobre un submódulo, solo lo cambian a él (y a los suyos). torch.no_grad() no "
        "toca .training.",
        "en": "model.train() and model.eval() set .training on the module and on every submodule; train(False) "
        "is eval(). Called on a submodule, they change only it (and its own submodules). torch.no_grad() "
        "doesn't touch .training.",
    },
}

_v = labelled(_LABELS)


@dataclass(frozen=True)
class TrainEval:
    name: str = "train_eval"
    title = {
        "es": "train() y eval(): Dropout, BatchNorm y .training",
        "en": "train() and eval(): Dropout, BatchNorm and .training",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.VALUES

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["dropout", "running_mean", "batch_of_one", "flags"], weights=[3, 3, 1.5, 3])[0]
        kind, code, variants, fallbacks, prompt, control = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=kind,
            prompt=prompt,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice="ValueError" if kind == AnswerKind.SHAPE else "",
            control=control,
        )

    # -- styles --------------------------------------------------------------
    def _dropout(self, rng: random.Random):
        p = rng.choice([0.5, 0.75])
        value = rng.choice([1.0, 2.0, 3.0])
        mode = rng.choice(["", "train", "eval"])
        no_grad = rng.random() < 0.3
        wrapped = rng.random() < 0.4
        seed = rng.randint(0, 99)

        def program(mode: str = mode, no_grad: bool = no_grad, seed: int = seed, scale: bool = True) -> str:
            layer = f"nn.Dropout(p={p})"
            lines = [f"torch.manual_seed({seed})", f"model = nn.Sequential({layer})" if wrapped else f"model = {layer}"]
            if mode:
                lines.append(f"model.{mode}()")
            lines.append(f"x = torch.full((64,), {value})")
            if no_grad:
                lines += ["with torch.no_grad():", "    y = model(x)"]
            else:
                lines.append("y = model(x)")
            lines.append("y.unique().tolist()" if scale else f"(y * {1 - p}).unique().tolist()")
            return "\n".join(lines)

        variants: list[Variant] = []
        if mode == "eval":
            variants.append(_v(program("train"), "eval_still_drops"))
            variants.append(_v(program("train", scale=False), "no_rescale"))
        else:
            variants.append(_v(program("eval"), "train_is_identity"))
            variants.append(_v(program(scale=False), "no_rescale"))
            if no_grad:
                variants.append(_v(program("eval"), "no_grad_is_eval"))
        survivor = value / (1 - p)
        fallbacks = [json.dumps([0.0]), json.dumps([0.0, value * p]), json.dumps([0.0, survivor, value])]
        # Another seed must leave the same distinct values: they follow from the rule, not from the draws.
        return AnswerKind.VALUES, program(), variants, fallbacks, _VALUES_PROMPT, program(seed=seed + 100)

    def _running_mean(self, rng: random.Random):
        rows = rng.choice([2, 4])
        channels = rng.choice([2, 3])
        x = [[float(rng.randint(0, 9)) for _ in range(channels)] for _ in range(rows)]
        passes = rng.choice([1, 1, 2])
        mode = rng.choice(["", "train", "eval"])
        no_grad = rng.random() < 0.3

        def program(mode: str = mode, no_grad: bool = no_grad, momentum: str = "") -> str:
            lines = [f"bn = nn.BatchNorm1d({channels}{momentum})"]
            if mode:
                lines.append(f"bn.{mode}()")
            lines.append("x = torch.tensor([" + ", ".join("[" + ", ".join(map(str, r)) + "]" for r in x) + "])")
            call = ["bn(x)"] * passes
            if no_grad:
                lines += ["with torch.no_grad():"] + ["    " + c for c in call]
            else:
                lines += call
            lines.append("bn.running_mean")
            return "\n".join(lines)

        variants: list[Variant] = []
        if mode == "eval":
            variants.append(_v(program("train"), "eval_updates_stats"))
            variants.append(_v(program("train", momentum=", momentum=1.0"), "stats_replaced"))
        else:
            variants.append(_v(program("eval"), "train_keeps_stats"))
            variants.append(_v(program(momentum=", momentum=1.0"), "stats_replaced"))
            if no_grad:
                variants.append(_v(program("eval"), "no_grad_is_eval"))
        means = [sum(r[c] for r in x) / rows for c in range(channels)]
        fallbacks = [
            json.dumps([round(0.9 * m, 4) for m in means]),
            json.dumps([1.0] * channels),
            json.dumps([round(0.1 * m * passes, 4) for m in means]),
            json.dumps(x[0]),
        ]
        return AnswerKind.VALUES, program(), variants, fallbacks, _VALUES_PROMPT, ""

    def _batch_of_one(self, rng: random.Random):
        channels = rng.choice([2, 3, 4])
        rows = rng.choice([1, 1, 1, 2])
        mode = rng.choice(["", "train", "eval", "eval", "eval"])
        sample = [float(rng.randint(0, 9)) for _ in range(channels)]
        x = "torch.tensor([" + ", ".join([str(sample)] * rows) + "])"

        def program(mode: str = mode) -> str:
            lines = [f"bn = nn.BatchNorm1d({channels})"] + ([f"bn.{mode}()"] if mode else [])
            return "\n".join([*lines, f"x = {x}", "bn(x).shape"])

        if mode == "eval":
            variants = [_v(program("train"), "eval_needs_batch")]
        else:
            variants = [_v(program("eval"), "single_sample_ok")]
        fallbacks = [format_shape([channels]), format_shape([channels, rows]), format_shape([rows, 1])]
        return AnswerKind.SHAPE, program(), variants, fallbacks, _SHAPE_PROMPT, ""

    def _flags(self, rng: random.Random):
        calls = ["model.eval()", "model.train()", "model.train(False)", "model[1].train()", "model[1].eval()"]
        steps = rng.sample(calls, rng.choice([1, 2]))
        no_grad = rng.random() < 0.35
        head = "model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))"
        tail = ["with torch.no_grad():", "    y = model(torch.ones(1, 2))"] if no_grad else []

        def program(steps: list[str], tail: list[str] = tail) -> str:
            return "\n".join([head, *steps, *tail, "(model.training, model[1].training)"])

        variants: list[Variant] = []
        if any(not s.startswith("model[1]") for s in steps):
            # As if the container's calls didn't reach the child: the child keeps the mode its own calls gave it.
            child = True
            for s in steps:
                child = {"model[1].train()": True, "model[1].eval()": False}.get(s, child)
            restore = "model[1].train()" if child else "model[1].eval()"
            variants.append(_v(program([*steps, restore]), "eval_not_recursive"))
        swaps = {
            "child_sets_parent": {"model[1].train()": "model.train()", "model[1].eval()": "model.eval()"},
            "train_false_is_train": {"model.train(False)": "model.train()"},
        }
        for mistake, swap in swaps.items():
            if any(s in swap for s in steps):
                variants.append(_v(program([swap.get(s, s) for s in steps]), mistake))
        if no_grad:
            variants.append(_v(program([*steps, "model.eval()"], []), "no_grad_is_eval"))
        fallbacks = [json.dumps(list(pair)) for pair in ((True, True), (False, False), (True, False), (False, True))]
        return AnswerKind.VALUES, program(steps), variants, fallbacks, _FLAGS_PROMPT, ""


FAMILY = TrainEval()
