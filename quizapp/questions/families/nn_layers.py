"""nn.Linear and nn.Conv2d: output shapes, weight shapes and parameter counts.

Conv2d output size per spatial dimension: floor((H + 2·padding - kernel) / stride) + 1.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import shape_call

ORDER = 15

_SEED = "torch.manual_seed(0)\n"
_COUNT = "sum(p.numel() for p in layer.parameters())"

_LABELS = {
    "padding_forgotten": {"es": "olvidar el padding", "en": "forgetting the padding"},
    "stride_forgotten": {"es": "olvidar el stride", "en": "forgetting the stride"},
    "kernel_ignored": {
        "es": "no restar el tamaño del kernel: salida = entrada / stride",
        "en": "not subtracting the kernel size: output = input / stride",
    },
    "in_out_swapped": {
        "es": "intercambiar entradas y salidas (in/out)",
        "en": "swapping inputs and outputs (in/out)",
    },
    "channels_not_checked": {
        "es": "creer que la capa acepta cualquier número de canales de entrada",
        "en": "thinking the layer accepts any number of input channels",
    },
    "channels_last_accepted": {
        "es": "creer que Conv2d acepta los canales al final (N, H, W, C)",
        "en": "thinking Conv2d accepts channels last (N, H, W, C)",
    },
    "channels_last_output": {
        "es": "creer que Conv2d trabaja con los canales al final y los devuelve al final",
        "en": "thinking Conv2d works channels last and returns them last",
    },
    "bias_taken_for_weight": {
        "es": "confundir el peso con el sesgo, de forma (out,)",
        "en": "confusing the weight with the bias, shaped (out,)",
    },
    "in_features_not_checked": {
        "es": "creer que Linear acepta cualquier tamaño en la última dimensión",
        "en": "thinking Linear accepts any size in the last dimension",
    },
    "features_first": {
        "es": "creer que Linear actúa sobre la primera dimensión",
        "en": "thinking Linear acts on the first dimension",
    },
    "batch_dims_flattened": {
        "es": "creer que Linear aplana las dimensiones de lote",
        "en": "thinking Linear flattens the batch dimensions",
    },
    "weight_shape_confused": {
        "es": "confundir la salida con la forma del peso (out, in)",
        "en": "confusing the output with the weight's shape (out, in)",
    },
    "input_shape_kept": {
        "es": "creer que la capa conserva la forma de la entrada",
        "en": "thinking the layer keeps the input's shape",
    },
    "bias_forgotten": {"es": "olvidar el sesgo (bias) al contar", "en": "forgetting the bias when counting"},
    "bias_added": {
        "es": "contar un sesgo que bias=False quita",
        "en": "counting a bias that bias=False removes",
    },
    "kernel_area_forgotten": {
        "es": "olvidar multiplicar por el área del kernel (k·k)",
        "en": "forgetting to multiply by the kernel area (k·k)",
    },
    "kernel_not_squared": {
        "es": "multiplicar por k en vez de por k·k",
        "en": "multiplying by k instead of k·k",
    },
    "in_channels_forgotten": {
        "es": "olvidar multiplicar por los canales de entrada",
        "en": "forgetting to multiply by the input channels",
    },
}

_CONV_RULE = {
    "es": "Conv2d devuelve (N, out_channels, H', W') con H' = floor((H + 2·padding - kernel) / "
    "stride) + 1 (igual para W); la entrada debe tener in_channels canales o lanza RuntimeError.",
    "en": "Conv2d returns (N, out_channels, H', W') with H' = floor((H + 2·padding - kernel) / "
    "stride) + 1 (same for W); the input must have in_channels channels or it raises RuntimeError.",
}
_LINEAR_RULE = {
    "es": "nn.Linear(in, out) actúa sobre la última dimensión, que debe valer in (si no, "
    "RuntimeError): (..., in) -> (..., out), conservando las demás; su peso tiene forma (out, in).",
    "en": "nn.Linear(in, out) acts on the last dimension, which must be in (otherwise "
    "RuntimeError): (..., in) -> (..., out), keeping the others; its weight has shape (out, in).",
}
_LINEAR_COUNT_RULE = {
    "es": "nn.Linear(in, out) tiene in·out pesos más out sesgos; con bias=False, solo in·out.",
    "en": "nn.Linear(in, out) has in·out weights plus out biases; with bias=False, only in·out.",
}
_CONV_COUNT_RULE = {
    "es": "nn.Conv2d(in, out, k) tiene out·in·k·k pesos más out sesgos (uno por canal de salida); "
    "con bias=False, solo los pesos.",
    "en": "nn.Conv2d(in, out, k) has out·in·k·k weights plus out biases (one per output channel); "
    "with bias=False, only the weights.",
}

_SHAPE_PROMPT = {
    "es": "¿Qué forma tiene la salida? (o ¿qué error lanza?)",
    "en": "What is the shape of the output? (or which error is raised?)",
}
_COUNT_PROMPT = {
    "es": "¿Cuántos parámetros (escalares) tiene la capa?",
    "en": "How many parameters (scalars) does the layer have?",
}
_WEIGHT_PROMPT = {"es": "¿Qué forma tiene el peso de la capa?", "en": "What is the shape of the layer's weight?"}


@dataclass(frozen=True)
class NNLayers:
    name: str = "nn_layers"
    title = {"es": "Capas nn: formas y número de parámetros", "en": "nn layers: shapes and parameter counts"}
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        styles = {
            "conv_shape": (_conv_shape, 5),
            "conv_error": (_conv_error, 1),
            "linear_shape": (_linear_shape, 3),
            "linear_error": (_linear_error, 2),
            "linear_count": (_linear_count, 2),
            "conv_count": (_conv_count, 2),
            "sequential_count": (_sequential_count, 1),
            "weight_shape": (_weight_shape, 1),
        }
        names = list(styles)
        style = rng.choices(names, weights=[styles[n][1] for n in names])[0]
        return styles[style][0](rng)


def _draft(kind: str, prompt: dict, rule: dict, code: str, variants: list[tuple[str, str]], fallbacks: list) -> Draft:
    return Draft(
        code=code,
        answer_kind=kind,
        prompt=prompt,
        error_choice="RuntimeError" if prompt is _SHAPE_PROMPT else "",
        explanation=rule,
        variants=tuple(Variant(c, key, _LABELS[key]) for c, key in variants),
        fallbacks=tuple(
            f if isinstance(f, str) else (format_shape(f) if isinstance(f, (list, tuple)) else str(f))
            for f in fallbacks
        ),
    )


def _conv(cin: int, cout: int, k: int, s: int = 1, p: int = 0, explicit: bool = False) -> str:
    extra = (f", stride={s}" if s != 1 or explicit else "") + (f", padding={p}" if p or explicit else "")
    return f"nn.Conv2d({cin}, {cout}, kernel_size={k}{extra})"


def _conv_snippet(layer: str, x: list[int]) -> str:
    return f"{_SEED}conv = {layer}\nconv(torch.zeros{shape_call(x)}).shape"


def _out(size: int, k: int, s: int, p: int) -> int:
    """Only for fallbacks; the answer always comes from torch."""
    return (size + 2 * p - k) // s + 1


def _conv_shape(rng: random.Random) -> Draft:
    cin, cout = rng.choice([1, 3]), rng.choice([4, 6, 8, 16])
    k = rng.choice([1, 3, 3, 5])
    s = rng.choice([1, 2, 2, 3])
    p = rng.randint(0, k // 2)
    if k == 1:
        p, s = 0, rng.choice([2, 3])
    elif s == 1 and p == 0:
        p = 1
    n = rng.choice([1, 2, 4])
    h = rng.randint(max(k, 5), 16)
    w = h if rng.random() < 0.6 else rng.randint(max(k, 5), 16)
    explicit = rng.random() < 0.3
    x = [n, cin, h, w]
    code = _conv_snippet(_conv(cin, cout, k, s, p, explicit), x)
    variants = []
    if p:
        variants.append((_conv_snippet(_conv(cin, cout, k, s, 0, explicit), x), "padding_forgotten"))
    if s != 1:
        variants.append((_conv_snippet(_conv(cin, cout, k, 1, p, explicit), x), "stride_forgotten"))
    if k > 1:
        variants.append((_conv_snippet(_conv(cin, cout, 1, s, 0, explicit), x), "kernel_ignored"))
    variants.append((_conv_snippet(_conv(cout, cin, k, s, p, explicit), [n, cout, h, w]), "in_out_swapped"))
    ho, wo = _out(h, k, s, p), _out(w, k, s, p)
    fallbacks = [(n, cout, ho + 1, wo + 1), (n, cout, h - k + 1, w - k + 1), (cout, ho, wo), (n, cin, ho, wo)]
    return _draft(AnswerKind.SHAPE, _SHAPE_PROMPT, _CONV_RULE, code, variants[:3], fallbacks)


def _conv_error(rng: random.Random) -> Draft:
    cin, cout = rng.choice([(3, 8), (1, 4), (3, 16), (4, 8), (3, 6)])
    k = rng.choice([3, 5])
    h = rng.randint(6, 12)
    n = rng.choice([1, 2])
    layer = _conv(cin, cout, k)
    right = _conv_snippet(layer, [n, cin, h, h])
    if rng.random() < 0.5:  # the input has out_channels channels
        code = _conv_snippet(layer, [n, cout, h, h])
        variants = [
            (right, "channels_not_checked"),
            (_conv_snippet(_conv(cout, cin, k), [n, cout, h, h]), "in_out_swapped"),
        ]
    else:  # channels last, as in an image file (N, H, W, C)
        code = _conv_snippet(layer, [n, h, h, cin])
        variants = [
            (right, "channels_last_accepted"),
            (
                _conv_snippet(layer, [n, cin, h, h]).replace(").shape", ").permute(0, 2, 3, 1).shape"),
                "channels_last_output",
            ),
        ]
    return _draft(
        AnswerKind.SHAPE,
        _SHAPE_PROMPT,
        _CONV_RULE,
        code,
        variants,
        [(n, cout, h, h), (n, cin, h - k + 1, h - k + 1), "ValueError"],
    )


def _linear_snippet(i: int, o: int, x: list[int], tail: str = "layer(torch.zeros{x}).shape") -> str:
    return f"{_SEED}layer = nn.Linear({i}, {o})\n" + tail.replace("{x}", shape_call(x))


def _linear_shape(rng: random.Random) -> Draft:
    i, o = rng.sample([2, 3, 4, 5, 6, 8, 10, 16], 2)
    sizes = [d for d in range(2, 9) if d not in (i, o)]
    batch = rng.choice([[rng.choice(sizes)], [rng.choice(sizes[:3]), rng.choice(sizes[:4])]])
    x = batch + [i]
    code = _linear_snippet(i, o, x)
    variants = [(_linear_snippet(o, i, batch + [o]), "in_out_swapped")]
    if len(batch) > 1:
        variants.append((_linear_snippet(i, o, [batch[0] * batch[1], i]), "batch_dims_flattened"))
    variants.append((_linear_snippet(i, o, x, "layer.weight.shape"), "weight_shape_confused"))
    return _draft(
        AnswerKind.SHAPE,
        _SHAPE_PROMPT,
        _LINEAR_RULE,
        code,
        variants,
        [batch + [i], batch + [o, i], [o], "RuntimeError"],
    )


def _linear_error(rng: random.Random) -> Draft:
    i, o = rng.sample([2, 3, 4, 5, 6, 8], 2)
    b = rng.choice([d for d in (2, 3, 4, 7, 9) if d not in (i, o)])
    if rng.random() < 0.5:  # the input has out_features where in_features should be
        code = _linear_snippet(i, o, [b, o])
        variants = [
            (_linear_snippet(i, o, [b, i]), "in_features_not_checked"),
            (_linear_snippet(o, i, [b, o]), "in_out_swapped"),
        ]
    else:  # features in the first dimension
        code = _linear_snippet(i, o, [i, b])
        variants = [
            (_linear_snippet(i, o, [b, i]), "features_first"),
            (_linear_snippet(i, o, [i, b], "torch.zeros{x}.shape"), "input_shape_kept"),
        ]
    return _draft(AnswerKind.SHAPE, _SHAPE_PROMPT, _LINEAR_RULE, code, variants, [(b, o), (o, b), (b, i), "ValueError"])


def _bias(bias: bool, explicit: bool) -> str:
    return ", bias=False" if not bias else (", bias=True" if explicit else "")


def _linear_count(rng: random.Random) -> Draft:
    i, o = rng.sample([2, 3, 4, 5, 6, 8, 10, 16, 20], 2)
    bias, explicit = rng.random() < 0.6, rng.random() < 0.3

    def snippet(a: int, c: int, with_bias: bool) -> str:
        return f"{_SEED}layer = nn.Linear({a}, {c}{_bias(with_bias, explicit)})\n{_COUNT}"

    variants = [
        (snippet(i, o, not bias), "bias_forgotten" if bias else "bias_added"),
        (snippet(o, i, bias), "in_out_swapped"),
    ]
    fallbacks = [i * o + i + o, (i + 1) * (o + 1), i + o, i * o + 1]
    return _draft(AnswerKind.INT, _COUNT_PROMPT, _LINEAR_COUNT_RULE, snippet(i, o, bias), variants, fallbacks)


def _conv_count(rng: random.Random) -> Draft:
    cin, cout = rng.choice([1, 3, 4]), rng.choice([2, 4, 8, 16])
    k = rng.choice([2, 3, 5])
    bias, explicit = rng.random() < 0.6, rng.random() < 0.3

    def snippet(layer: str) -> str:
        return f"{_SEED}layer = {layer}\n{_COUNT}"

    def conv(kind: str, a: int, c: int, kk: int, with_bias: bool) -> str:
        return f"nn.{kind}({a}, {c}, kernel_size={kk}{_bias(with_bias, explicit)})"

    others = [
        (snippet(conv("Conv1d", cin, cout, k, bias)), "kernel_not_squared"),
        (snippet(conv("Conv2d", cin, cout, 1, bias)), "kernel_area_forgotten"),
    ]
    if cin > 1:
        others.append((snippet(conv("Conv2d", 1, cout, k, bias)), "in_channels_forgotten"))
    rng.shuffle(others)
    variants = [(snippet(conv("Conv2d", cin, cout, k, not bias)), "bias_forgotten" if bias else "bias_added"), *others]
    b = cout if bias else 0
    fallbacks = [cout * cin * k * k + cin, cout * cin * k * k + b + 1, (cout + cin) * k * k + b]
    return _draft(
        AnswerKind.INT,
        _COUNT_PROMPT,
        _CONV_COUNT_RULE,
        snippet(conv("Conv2d", cin, cout, k, bias)),
        variants[:3],
        fallbacks,
    )


def _sequential_count(rng: random.Random) -> Draft:
    a, h, c = rng.sample([2, 3, 4, 5, 8, 10], 3)
    bias = rng.random() < 0.7

    def snippet(x: int, y: int, z: int, w: int, with_bias: bool) -> str:
        flag = "" if with_bias else ", bias=False"
        return (
            f"{_SEED}layer = nn.Sequential(nn.Linear({x}, {y}{flag}), nn.ReLU(), nn.Linear({z}, {w}{flag}))\n{_COUNT}"
        )

    variants = [
        (snippet(a, h, h, c, not bias), "bias_forgotten" if bias else "bias_added"),
        (snippet(h, a, c, h, bias), "in_out_swapped"),
    ]
    fallbacks = [a * h + h * c + h, a * h + h * c + c, (a + 1) * h + (h + 1) * c + h, a * h * c]
    return _draft(AnswerKind.INT, _COUNT_PROMPT, _LINEAR_COUNT_RULE, snippet(a, h, h, c, bias), variants, fallbacks)


def _weight_shape(rng: random.Random) -> Draft:
    if rng.random() < 0.5:
        i, o = rng.sample([2, 3, 4, 5, 6, 8], 2)
        code = f"{_SEED}layer = nn.Linear({i}, {o})\nlayer.weight.shape"
        variants = [
            (f"{_SEED}layer = nn.Linear({o}, {i})\nlayer.weight.shape", "in_out_swapped"),
            (f"{_SEED}layer = nn.Linear({i}, {o})\nlayer.bias.shape", "bias_taken_for_weight"),
        ]
        return _draft(AnswerKind.SHAPE, _WEIGHT_PROMPT, _LINEAR_RULE, code, variants, [(i, o), (o, i, 1), (i * o,)])
    cin, cout, k = rng.choice([1, 3]), rng.choice([4, 8]), rng.choice([3, 5])
    code = f"{_SEED}layer = {_conv(cin, cout, k)}\nlayer.weight.shape"
    variants = [
        (f"{_SEED}layer = {_conv(cout, cin, k)}\nlayer.weight.shape", "in_out_swapped"),
        (f"{_SEED}layer = nn.Conv1d({cin}, {cout}, kernel_size={k})\nlayer.weight.shape", "kernel_not_squared"),
    ]
    return _draft(
        AnswerKind.SHAPE,
        _WEIGHT_PROMPT,
        _CONV_COUNT_RULE,
        code,
        variants,
        [(cout, k, k), (cout, cin * k * k), (k, k, cin, cout)],
    )


FAMILY = NNLayers()
