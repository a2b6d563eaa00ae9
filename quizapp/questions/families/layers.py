"""More layers' shapes: MaxPool2d/AvgPool2d, Embedding (and the indices it
takes), LSTM/GRU with batch_first, num_layers and bidirectional.

Every size is written in the code; the answers come from running the
snippets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from quizapp.domain import AnswerKind
from quizapp.questions.base import Draft, Variant, format_shape
from quizapp.questions.snippets import labelled, shape_args

ORDER = 24

_LABELS = {
    "pool_stride_one": {
        "es": "creer que el stride por defecto de un pooling es 1 (es kernel_size)",
        "en": "thinking a pooling layer's default stride is 1 (it is kernel_size)",
    },
    "pool_rounds_up": {
        "es": "creer que el tamaño de salida se redondea hacia arriba (hacia abajo, salvo ceil_mode=True)",
        "en": "thinking the output size rounds up (it rounds down unless ceil_mode=True)",
    },
    "pool_padding_ignored": {
        "es": "creer que el padding no cuenta en el tamaño de salida",
        "en": "thinking padding doesn't count in the output size",
    },
    "pool_any_padding": {
        "es": "creer que el padding puede superar la mitad del kernel",
        "en": "thinking padding may exceed half the kernel size",
    },
    "pool_kernel_fits": {
        "es": "creer que cabe un kernel mayor que la entrada (sin padding, la salida tendría tamaño 0)",
        "en": "thinking a kernel larger than the input still fits (without padding the output would have size 0)",
    },
    "embedding_num_as_dim": {
        "es": "confundir num_embeddings (filas de la tabla) con embedding_dim (tamaño de cada vector)",
        "en": "mixing up num_embeddings (rows of the table) with embedding_dim (the size of each vector)",
    },
    "index_reaches_num": {
        "es": "creer que un índice puede valer num_embeddings (van de 0 a num_embeddings - 1)",
        "en": "thinking an index may equal num_embeddings (they go from 0 to num_embeddings - 1)",
    },
    "float_indices_ok": {
        "es": "creer que Embedding acepta índices float (deben ser enteros: int64 o int32)",
        "en": "thinking Embedding accepts float indices (they must be integers: int64 or int32)",
    },
    "batch_first_ignored": {
        "es": "leer batch_first al revés: con batch_first=True la entrada y la salida son (lote, tiempo, ...)",
        "en": "reading batch_first backwards: with batch_first=True input and output are (batch, time, ...)",
    },
    "h_batch_first": {
        "es": "creer que batch_first también cambia h (h es siempre (capas * direcciones, lote, hidden))",
        "en": "thinking batch_first also changes h (h is always (layers * directions, batch, hidden))",
    },
    "bidirectional_not_doubled": {
        "es": "creer que bidirectional no duplica nada (duplica las features de out y las filas de h)",
        "en": "thinking bidirectional doubles nothing (it doubles out's features and h's rows)",
    },
    "h_last_layer_only": {
        "es": "creer que h guarda solo la última capa (guarda num_layers * direcciones filas)",
        "en": "thinking h keeps the last layer only (it keeps num_layers * directions rows)",
    },
    "input_size_unchecked": {
        "es": "creer que la última dimensión de la entrada puede no ser input_size",
        "en": "thinking the input's last dimension need not be input_size",
    },
}

_PROMPT = {"es": "¿Qué forma tiene el resultado?", "en": "What is the shape of the result?"}

_RULES = {
    "pool": {
        "es": "MaxPool2d y AvgPool2d cambian solo las dos últimas dimensiones: salida = (entrada + 2*padding - "
        "kernel) // stride + 1, redondeando hacia abajo (ceil_mode=True redondea hacia arriba); el stride por "
        "defecto es kernel_size. Lanzan RuntimeError si el padding supera la mitad del kernel o si la salida "
        "quedaría con tamaño 0.",
        "en": "MaxPool2d and AvgPool2d change only the last two dimensions: out = (in + 2*padding - kernel) // "
        "stride + 1, rounding down (ceil_mode=True rounds up); the default stride is kernel_size. They raise "
        "RuntimeError when padding exceeds half the kernel or when the output would have size 0.",
    },
    "embedding": {
        "es": "nn.Embedding(num_embeddings, embedding_dim)(idx) añade una dimensión al final: forma "
        "idx.shape + (embedding_dim,). Cada índice va de 0 a num_embeddings - 1; uno mayor lanza IndexError.",
        "en": "nn.Embedding(num_embeddings, embedding_dim)(idx) adds a dimension at the end: shape "
        "idx.shape + (embedding_dim,). Each index goes from 0 to num_embeddings - 1; a larger one raises "
        "IndexError.",
    },
    "embedding_dtype": {
        "es": "nn.Embedding toma índices enteros, int64 o int32, y da float32; índices float lanzan "
        "RuntimeError, aunque sean números enteros como 2.0.",
        "en": "nn.Embedding takes integer indices, int64 or int32, and gives float32; float indices raise "
        "RuntimeError, even whole numbers such as 2.0.",
    },
    "rnn": {
        "es": "LSTM/GRU: out tiene forma (tiempo, lote, D * hidden_size), o (lote, tiempo, ...) con "
        "batch_first=True; h (y c en LSTM) tiene forma (D * num_layers, lote, hidden_size) con o sin "
        "batch_first. D es 2 con bidirectional=True, si no 1. La última dimensión de la entrada debe ser "
        "input_size; si no, lanza RuntimeError.",
        "en": "LSTM/GRU: out has shape (time, batch, D * hidden_size), or (batch, time, ...) with "
        "batch_first=True; h (and an LSTM's c) has shape (D * num_layers, batch, hidden_size) with or without "
        "batch_first. D is 2 with bidirectional=True, else 1. The input's last dimension must be input_size; "
        "otherwise it raises RuntimeError.",
    },
}

_v = labelled(_LABELS)


@dataclass(frozen=True)
class Layers:
    name: str = "layers"
    title = {
        "es": "Capas: pooling, Embedding, LSTM y GRU",
        "en": "Layers: pooling, Embedding, LSTM and GRU",
    }
    mistakes = _LABELS
    answer_kind: str = AnswerKind.SHAPE

    def build(self, rng: random.Random) -> Draft:
        style = rng.choices(["pool", "embedding", "embedding_dtype", "rnn"], weights=[3, 2, 1.5, 4])[0]
        code, variants, fallbacks, error = getattr(self, "_" + style)(rng)
        return Draft(
            code=code,
            answer_kind=AnswerKind.SHAPE,
            prompt=_PROMPT,
            explanation=_RULES[style],
            variants=tuple(variants),
            fallbacks=tuple(fallbacks),
            error_choice=error,
        )

    # -- styles --------------------------------------------------------------
    def _pool(self, rng: random.Random):
        layer = rng.choice(["MaxPool2d", "AvgPool2d"])
        kernel = rng.choice([2, 3])
        stride = rng.choice([None, None, 1, 2, 3])
        padding = rng.choice([0, 0, 1])
        if rng.random() < 0.12:
            padding = kernel  # more than half the kernel: RuntimeError
        size = rng.randint(5, 12) if rng.random() > 0.1 else kernel - 1  # too small: RuntimeError
        batch, channels = rng.choice([(1, 3), (2, 3), (4, 8), (8, 16)])
        unbatched = rng.random() < 0.2
        shape = [channels, size, size] if unbatched else [batch, channels, size, size]

        def program(stride: int | None = stride, padding: int = padding, ceil: bool = False) -> str:
            args = [str(kernel)] + ([f"stride={stride}"] if stride else [])
            args += [f"padding={padding}"] if padding else []
            args += ["ceil_mode=True"] if ceil else []
            return f"pool = nn.{layer}({', '.join(args)})\nx = torch.zeros({shape_args(shape)})\npool(x).shape"

        variants: list[Variant] = []
        if stride is None:
            variants.append(_v(program(stride=1), "pool_stride_one"))
        if (size + 2 * padding - kernel) % (stride or kernel):
            variants.append(_v(program(ceil=True), "pool_rounds_up"))
        if padding and padding <= kernel // 2:
            variants.append(_v(program(padding=0), "pool_padding_ignored"))
        if padding > kernel // 2:
            variants.append(_v(program(padding=kernel // 2), "pool_any_padding"))
        if size < kernel and not padding:
            variants.append(_v(program(padding=kernel // 2), "pool_kernel_fits"))
        step = stride or kernel
        out = max((size + 2 * padding - kernel) // step + 1, 1)
        lead = shape[:-2]
        fallbacks = [
            format_shape([*lead, size // kernel, size // kernel][: len(shape)]),
            format_shape([*lead, out + 1, out + 1]),
            format_shape([*lead[:-1], lead[-1] // kernel if lead[-1] >= kernel else 1, out, out]),
            format_shape([*lead, max(out - 1, 1), max(out - 1, 1)]),
        ]
        return program(), variants, fallbacks, "RuntimeError"

    def _embedding(self, rng: random.Random):
        num, dim = rng.sample([5, 6, 8, 10, 16], 2)
        rows, cols = rng.choice([(2, 3), (3, 2), (1, 4), (4, 1)])
        flat = [rng.randrange(num) for _ in range(rows * cols)]
        broken = rng.random() < 0.25
        if broken:
            flat[rng.randrange(len(flat))] = num  # one past the last row of the table
        vector = rng.random() < 0.3
        idx = flat[:cols] if vector else [flat[i * cols : (i + 1) * cols] for i in range(rows)]
        idx_shape = [len(idx)] if vector else [rows, cols]

        def program(num: int = num, dim: int = dim) -> str:
            return f"emb = nn.Embedding({num}, {dim})\nidx = torch.tensor({idx})\nemb(idx).shape"

        variants = [_v(program(num=dim, dim=num), "embedding_num_as_dim")]
        if broken:
            variants.append(_v(program(num=num + 1), "index_reaches_num"))
        fallbacks = [
            format_shape([*idx_shape[:-1], dim]),
            format_shape([*idx_shape, num]),
            format_shape([dim, *idx_shape]),
            format_shape(idx_shape),
        ]
        if len(idx_shape) > 1:
            fallbacks.insert(0, format_shape([*idx_shape[:-1], dim]))
        return program(), variants, fallbacks, "IndexError"

    def _embedding_dtype(self, rng: random.Random):
        num, dim = rng.sample([5, 6, 8, 10], 2)
        values = [rng.randrange(num) for _ in range(rng.choice([2, 3, 4]))]
        dtype = rng.choices(["", "torch.int32", "torch.float32"], weights=[1, 1, 1.5])[0]
        written = [float(v) for v in values] if dtype == "torch.float32" and rng.random() < 0.5 else values

        def program(dtype: str = dtype) -> str:
            if dtype == "torch.float32" and written != values:
                made = f"torch.tensor({written})"  # written as floats: float32 without a dtype
            else:
                made = f"torch.tensor({values}{', dtype=' + dtype if dtype else ''})"
            return f"emb = nn.Embedding({num}, {dim})\nidx = {made}\nemb(idx).shape"

        # Only float indices have a misconception to run; the others rely on the error always offered.
        variants = [_v(program(""), "float_indices_ok")] if dtype == "torch.float32" else []
        n = len(values)
        fallbacks = [format_shape([n]), format_shape([n, num]), format_shape([dim])]
        return program(), variants, fallbacks, "RuntimeError"

    def _rnn(self, rng: random.Random):
        cell = rng.choice(["LSTM", "GRU"])
        batch, time, features, hidden = rng.sample(range(2, 10), 4)
        layers = rng.choice([1, 1, 2, 3])
        batch_first = rng.random() < 0.5
        bidirectional = rng.random() < 0.4
        ask = rng.choice(["out", "out", "h"] + (["c"] if cell == "LSTM" else []))
        wrong_input = rng.random() < 0.15
        given = rng.choice([f for f in range(2, 10) if f != features]) if wrong_input else features
        dims = [batch, time] if batch_first else [time, batch]

        def program(
            batch_first: bool = batch_first,
            bidirectional: bool = bidirectional,
            layers: int = layers,
            given: int = given,
            ask: str = ask,
        ) -> str:
            dims = [batch, time, given] if batch_first else [time, batch, given]
            options = [f"num_layers={layers}"] if layers > 1 else []
            options += ["batch_first=True"] if batch_first else []
            options += ["bidirectional=True"] if bidirectional else []
            make = f"rnn = nn.{cell}({', '.join([str(features), str(hidden), *options])})"
            unpack = "out, (h, c) = rnn(x)" if cell == "LSTM" else "out, h = rnn(x)"
            return f"{make}\nx = torch.zeros({shape_args(dims)})\n{unpack}\n{ask}.shape"

        variants: list[Variant] = []
        if ask == "out":
            variants.append(_v(program(batch_first=not batch_first), "batch_first_ignored"))
            if bidirectional:
                variants.append(_v(program(bidirectional=False), "bidirectional_not_doubled"))
        else:
            if batch_first:
                variants.append(_v(program().replace(f"\n{ask}.shape", f"\n{ask}.transpose(0, 1).shape"),
                                   "h_batch_first"))  # fmt: skip
            if layers > 1 or bidirectional:
                variants.append(_v(program(layers=1, bidirectional=False), "h_last_layer_only"))
            if bidirectional:
                variants.append(_v(program(bidirectional=False), "bidirectional_not_doubled"))
        if wrong_input:
            variants.insert(0, _v(program(given=features), "input_size_unchecked"))
        d = 2 if bidirectional else 1
        fallbacks = [
            format_shape([dims[0], dims[1], hidden]),
            format_shape([batch, hidden]),
            format_shape([d * layers, batch, hidden] if ask == "out" else [dims[0], dims[1], d * hidden]),
            format_shape([dims[1], dims[0], d * hidden]),
        ]
        return program(), variants[:4], fallbacks, "RuntimeError"


FAMILY = Layers()
