"""AST allow-list validator for the snippets the torch worker runs.

Every snippet, built-in or imported, must pass :func:`validate` before it
runs. The client checks first (a refused snippet never reaches the worker)
and the worker checks again (defence in depth). This module must not import
torch: the UI process imports it.

The design is an allow-list at every level; anything not named below is
refused:

* node types: :data:`ALLOWED_NODES` (no import, def, lambda, class, while,
  try, raise, del, global, yield/await, f-strings, walrus, match);
  ``with`` only as ``with torch.no_grad():`` and its siblings
  (:data:`GRAD_CONTEXTS`);
* names: no name or attribute starts with ``_``; a name is either an
  allow-listed builtin (:data:`ALLOWED_BUILTINS`), one of the module aliases
  ``torch``/``nn``/``F`` (:data:`MODULE_ALIASES`), or a variable the snippet
  itself assigns; builtins and aliases cannot be re-bound;
* torch: an attribute chain rooted at an alias must walk through
  :data:`TORCH_NAMESPACES` to a dotted name in :data:`TORCH_NAMES`; a bare
  module (``torch``, ``torch.nn``) is never a value, so it cannot be aliased
  and probed with other names; classes (:data:`TORCH_CLASSES`) can only be
  called or used in ``isinstance``, so no class object can be patched;
* other attributes (tensor methods, module fields...) must be in
  :data:`ATTRIBUTES`; assignment only to :data:`SETTABLE_ATTRIBUTES` and never
  on a torch chain (no monkey-patching that outlives the request);
* calls: no ``**kwargs``, no keyword in :data:`FORBIDDEN_KEYWORDS` (callbacks,
  worker processes, ``file=``); ``DataLoader`` takes at most 3 positional
  arguments and no ``*args`` (``num_workers`` is positional number 6);
* no string formatting: f-strings, ``"..." % x`` and ``.format`` (not an
  allowed attribute) are refused; ``s % x`` with ``s`` a str held in a
  variable cannot be seen here: the worker refuses it at run time, as it
  refuses attribute assignments to anything but tensors and modules;
* size: at most :data:`MAX_SOURCE_CHARS` characters, :data:`MAX_NODES` AST
  nodes and :data:`MAX_DEPTH` levels of nesting.

Resource exhaustion (huge allocations, long loops) is not the validator's job:
the worker's rlimits and timeouts stop it.
"""

from __future__ import annotations

import ast

__all__ = [
    "ALLOWED_BUILTINS",
    "ATTRIBUTES",
    "TORCH_NAMES",
    "UnsafeSnippet",
    "validate",
]

MAX_SOURCE_CHARS = 4000
"""Longest snippet accepted, in characters."""
MAX_NODES = 1500
"""Most AST nodes accepted."""
MAX_DEPTH = 60
"""Deepest AST nesting accepted (keeps compile() and our walk shallow)."""

ALLOWED_BUILTINS: frozenset[str] = frozenset(
    {
        "print",
        "len",
        "range",
        "list",
        "tuple",
        "int",
        "float",
        "bool",
        "complex",
        "abs",
        "min",
        "max",
        "sum",
        "round",
        "divmod",
        "pow",
        "isinstance",
        "enumerate",
        "zip",
        "sorted",
        "reversed",
        "str",
        "repr",
        "dict",
        "set",
        "frozenset",
        "slice",
        "any",
        "all",
        "iter",
        "next",
    }
)
"""Builtins a snippet may name. No type, getattr, vars, eval, open, format..."""

DENIED_BUILTINS: frozenset[str] = frozenset(
    {
        "type",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "vars",
        "dir",
        "globals",
        "locals",
        "eval",
        "exec",
        "compile",
        "open",
        "input",
        "breakpoint",
        "memoryview",
        "object",
        "super",
        "help",
        "id",
        "format",
        "classmethod",
        "staticmethod",
        "property",
        "map",
        "filter",
        "exit",
        "quit",
        "bytearray",
        "bytes",
        "callable",
        "issubclass",
        "hash",
        "chr",
        "ord",
        "ascii",
        "license",
        "credits",
        "copyright",
    }
)
"""Never allowed; listed only to give a clearer message."""

MODULE_ALIASES: dict[str, str] = {
    "torch": "torch",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
}
"""Names the worker binds in every namespace, and the module each stands for."""

TORCH_NAMESPACES: frozenset[str] = frozenset(
    {
        "torch",
        "torch.nn",
        "torch.nn.functional",
        "torch.nn.init",
        "torch.utils",
        "torch.utils.data",
        "torch.autograd",
        "torch.linalg",
        "torch.special",
    }
)
"""Modules a chain may pass through (never used as values)."""


def _names(prefix: str, names: str) -> frozenset[str]:
    return frozenset(f"{prefix}.{n}" for n in names.split())


_TORCH_CREATION = """
    tensor as_tensor zeros ones empty full zeros_like ones_like empty_like
    full_like rand randn randint rand_like randn_like randint_like randperm
    arange linspace logspace eye tril triu diag diagonal diag_embed normal
    bernoulli multinomial poisson complex polar
"""
_TORCH_MATH = """
    abs absolute add sub subtract mul multiply div divide true_divide
    floor_divide remainder fmod pow exp exp2 log log2 log10 log1p expm1 sqrt
    rsqrt square sin cos tan asin acos atan atan2 sinh cosh tanh sigmoid relu
    neg negative sign sgn ceil floor round trunc frac clamp clip maximum
    minimum fmax fmin max min sum nansum mean nanmean median mode std var
    std_mean var_mean prod cumsum cumprod cummax cummin logcumsumexp argmax
    argmin amax amin aminmax logsumexp softmax log_softmax matmul mm bmm mv
    dot vdot inner outer einsum tensordot norm dist cdist allclose isclose
    equal eq ne lt le gt ge greater less where logical_and logical_or
    logical_not logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not
    all any isnan isinf isfinite isreal nan_to_num sort argsort msort topk
    kthvalue unique unique_consecutive count_nonzero nonzero numel lerp addmm
    addmv addbmm baddbmm det inverse trace kron cross histc bincount
    bucketize searchsorted diff real imag angle conj flip fliplr flipud roll
    rot90 dropout sigmoid erf erfinv lgamma digamma trapezoid cov corrcoef
    masked_fill
"""
_TORCH_SHAPES = """
    cat concat concatenate stack hstack vstack dstack column_stack split chunk
    tensor_split unbind squeeze unsqueeze flatten unflatten reshape view_as_real
    view_as_complex transpose permute movedim moveaxis swapaxes swapdims t
    gather scatter scatter_add index_select masked_select take
    take_along_dim narrow select repeat_interleave tile meshgrid clone
    broadcast_tensors broadcast_shapes broadcast_to atleast_1d atleast_2d
    atleast_3d block_diag cartesian_prod combinations
"""
_TORCH_MISC = """
    manual_seed initial_seed is_tensor is_floating_point is_complex
    is_nonzero result_type promote_types can_cast get_default_dtype
    is_grad_enabled no_grad enable_grad inference_mode set_grad_enabled
    Size Tensor Generator device dtype finfo iinfo
"""
_TORCH_DTYPES = """
    float32 float float64 double float16 half bfloat16 int8 int16 short int32
    int int64 long uint8 bool complex64 cfloat complex128 cdouble
"""
_NN_CLASSES = """
    Module Parameter Sequential ModuleList ModuleDict Linear Bilinear Identity
    Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d MaxPool1d MaxPool2d
    AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d
    AdaptiveMaxPool2d BatchNorm1d BatchNorm2d LayerNorm GroupNorm Dropout
    Dropout2d Embedding RNN LSTM GRU ReLU ReLU6 LeakyReLU PReLU ELU SELU GELU
    SiLU Mish Sigmoid Tanh Softmax LogSoftmax Softplus Hardtanh Flatten
    Unflatten MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss
    BCELoss BCEWithLogitsLoss KLDivLoss CosineSimilarity PairwiseDistance
"""
_F_FUNCTIONS = """
    relu relu6 leaky_relu elu selu gelu silu mish sigmoid tanh hardtanh
    softplus softmax log_softmax linear bilinear conv1d conv2d conv3d
    max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool2d pad
    one_hot cross_entropy mse_loss l1_loss smooth_l1_loss huber_loss nll_loss
    binary_cross_entropy binary_cross_entropy_with_logits kl_div dropout
    normalize cosine_similarity pairwise_distance embedding layer_norm
    batch_norm group_norm interpolate unfold fold
"""
_NN_INIT = """
    zeros_ ones_ constant_ normal_ uniform_ eye_ xavier_uniform_
    xavier_normal_ kaiming_uniform_ kaiming_normal_ calculate_gain
"""

TORCH_NAMES: frozenset[str] = (
    _names("torch", _TORCH_CREATION + _TORCH_MATH + _TORCH_SHAPES + _TORCH_MISC + _TORCH_DTYPES)
    | _names("torch.nn", _NN_CLASSES)
    | _names("torch.nn.functional", _F_FUNCTIONS)
    | _names("torch.nn.init", _NN_INIT)
    | _names("torch.utils.data", "TensorDataset DataLoader Subset random_split")
    | _names("torch.autograd", "grad backward")
    | _names(
        "torch.linalg",
        "norm vector_norm matrix_norm inv det solve "
        "matrix_rank eigh eigvalsh svd svdvals qr cholesky pinv cross "
        "matmul",
    )
    | _names("torch.special", "expit logit erf softmax log_softmax")
)
"""Fully qualified torch names a snippet may use (``nn.X`` is ``torch.nn.X``).

Not here on purpose: save, load, from_file, hub, os, sys, ops, classes,
library, jit, compile, cuda, backends, distributed, multiprocessing,
utils.cpp_extension, set_default_dtype, set_num_threads, set_printoptions...
nor torch.optim: an optimizer's first step() lazily imports torch._dynamo
(750 modules, 0.9 s, and it needs a writable temp dir); snippets update
parameters by hand under torch.no_grad(), as the autograd tutorial does.
"""

_LOWERCASE_CLASSES = _names("torch", "no_grad enable_grad inference_mode set_grad_enabled device dtype finfo iinfo")
TORCH_CLASSES: frozenset[str] = frozenset(
    n for n in TORCH_NAMES if n.rsplit(".", 1)[1][:1].isupper() or n in _LOWERCASE_CLASSES
)
"""Torch names that are classes: only called or used in isinstance()."""

GRAD_CONTEXTS: frozenset[str] = _names("torch", "no_grad enable_grad inference_mode set_grad_enabled")
"""The only context managers ``with`` may use (called, without ``as``)."""

ATTRIBUTES: frozenset[str] = frozenset(
    [
        "shape",
        "dtype",
        "device",
        "layout",
        "size",
        "dim",
        "ndim",
        "ndimension",
        "numel",
        "nelement",
        "element_size",
        "itemsize",
        "nbytes",
        "stride",
        "storage_offset",
        "is_contiguous",
        "contiguous",
        "data_ptr",
        "is_leaf",
        "grad",
        "grad_fn",
        "next_functions",
        "name",
        "requires_grad",
        "requires_grad_",
        "retain_grad",
        "retains_grad",
        "backward",
        "detach",
        "detach_",
        "data",
        "item",
        "tolist",
        "T",
        "mT",
        "H",
        "mH",
        "real",
        "imag",
        "view",
        "view_as",
        "reshape",
        "reshape_as",
        "expand",
        "expand_as",
        "repeat",
        "repeat_interleave",
        "permute",
        "transpose",
        "transpose_",
        "t",
        "t_",
        "squeeze",
        "squeeze_",
        "unsqueeze",
        "unsqueeze_",
        "flatten",
        "unflatten",
        "narrow",
        "select",
        "unbind",
        "split",
        "chunk",
        "flip",
        "roll",
        "movedim",
        "swapaxes",
        "gather",
        "scatter",
        "scatter_",
        "scatter_add",
        "scatter_add_",
        "index_select",
        "index_fill",
        "index_fill_",
        "index_add",
        "index_add_",
        "index_copy",
        "index_copy_",
        "masked_fill",
        "masked_fill_",
        "masked_select",
        "take",
        "tril",
        "triu",
        "diag",
        "diagonal",
        "to",
        "float",
        "int",
        "long",
        "double",
        "half",
        "bfloat16",
        "bool",
        "short",
        "char",
        "byte",
        "cfloat",
        "cdouble",
        "type_as",
        "clone",
        "copy_",
        "cpu",
        "new_zeros",
        "new_ones",
        "new_empty",
        "new_full",
        "new_tensor",
        "is_floating_point",
        "is_complex",
        "is_signed",
        "abs",
        "abs_",
        "neg",
        "neg_",
        "add",
        "add_",
        "sub",
        "sub_",
        "mul",
        "mul_",
        "div",
        "div_",
        "true_divide",
        "floor_divide",
        "remainder",
        "fmod",
        "pow",
        "pow_",
        "exp",
        "exp_",
        "log",
        "log_",
        "log2",
        "log10",
        "log1p",
        "sqrt",
        "sqrt_",
        "rsqrt",
        "square",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "sigmoid_",
        "relu",
        "relu_",
        "sign",
        "ceil",
        "floor",
        "round",
        "trunc",
        "frac",
        "clamp",
        "clamp_",
        "clip",
        "clip_",
        "maximum",
        "minimum",
        "max",
        "min",
        "sum",
        "nansum",
        "mean",
        "nanmean",
        "median",
        "mode",
        "std",
        "var",
        "prod",
        "cumsum",
        "cumprod",
        "argmax",
        "argmin",
        "amax",
        "amin",
        "logsumexp",
        "softmax",
        "log_softmax",
        "matmul",
        "mm",
        "bmm",
        "mv",
        "dot",
        "outer",
        "norm",
        "dist",
        "allclose",
        "isclose",
        "equal",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "eq_",
        "ne_",
        "logical_and",
        "logical_or",
        "logical_not",
        "logical_xor",
        "all",
        "any",
        "isnan",
        "isinf",
        "isfinite",
        "nan_to_num",
        "sort",
        "argsort",
        "topk",
        "kthvalue",
        "unique",
        "count_nonzero",
        "nonzero",
        "lerp",
        "fill_",
        "zero_",
        "uniform_",
        "normal_",
        "random_",
        "bernoulli_",
        "exponential_",
        "values",
        "indices",
        "weight",
        "bias",
        "parameters",
        "named_parameters",
        "children",
        "named_children",
        "modules",
        "named_modules",
        "buffers",
        "named_buffers",
        "state_dict",
        "train",
        "eval",
        "training",
        "zero_grad",
        "forward",
        "in_features",
        "out_features",
        "in_channels",
        "out_channels",
        "kernel_size",
        "padding",
        "dilation",
        "groups",
        "num_embeddings",
        "embedding_dim",
        "normalized_shape",
        "eps",
        "momentum",
        "running_mean",
        "running_var",
        "num_batches_tracked",
        "hidden_size",
        "num_layers",
        "input_size",
        "p",
        "inplace",
        "negative_slope",
        "dim",
        "dataset",
        "batch_size",
        "drop_last",
        "tensors",
        "indices",
        "manual_seed",
        "initial_seed",
        "seed",
        "get_state",
        "is_floating_point",
        "to_real",
        "to_complex",
        "bits",
        "tiny",
        "resolution",
        "numel",
        "count",
        "index",
        "append",
        "extend",
        "insert",
        "pop",
        "copy",
        "reverse",
        "keys",
        "items",
        "get",
    ]
)
"""Attributes allowed on values (tensors, Size, dtypes, modules, loaders,
lists...). Not here on purpose: save, load, numpy, tofile, apply_, map_,
register_*hook, storage, untyped_storage, share_memory_, pin_memory, cuda,
set_, resize_, format, os, sys."""

DENIED_ATTRIBUTES: frozenset[str] = frozenset(
    [
        "save",
        "load",
        "from_file",
        "numpy",
        "tofile",
        "apply_",
        "map_",
        "map2_",
        "register_hook",
        "storage",
        "untyped_storage",
        "share_memory_",
        "pin_memory",
        "cuda",
        "os",
        "sys",
        "hub",
        "ops",
        "classes",
        "library",
        "jit",
        "compile",
        "backends",
        "distributed",
        "multiprocessing",
        "format",
        "format_map",
        "set_",
        "resize_",
        "apply",
        "set_num_threads",
        "set_num_interop_threads",
        "set_default_dtype",
        "set_default_tensor_type",
        "set_default_device",
        "set_printoptions",
    ]
)
"""Never allowed; listed only to give a clearer message."""

SETTABLE_ATTRIBUTES: frozenset[str] = frozenset({"requires_grad", "grad", "data", "weight", "bias"})
"""Attributes a snippet may assign to (on its own objects, never on torch)."""

FORBIDDEN_KEYWORDS: frozenset[str] = frozenset(
    {
        "file",
        "num_workers",
        "collate_fn",
        "worker_init_fn",
        "pin_memory",
        "pin_memory_device",
        "multiprocessing_context",
        "persistent_workers",
        "prefetch_factor",
        "timeout",
        "hook",
        "closure",
    }
)
"""Keyword arguments never allowed: callbacks, processes, files."""

POSITIONAL_LIMITS: dict[str, int] = {"torch.utils.data.DataLoader": 3}
"""Most positional arguments for some callables (beyond them: num_workers...)."""

ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Module,
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.For,
    ast.If,
    ast.With,
    ast.withitem,
    ast.Pass,
    ast.Break,
    ast.Continue,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.keyword,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Starred,
    ast.Name,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.Slice,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Load,
    ast.Store,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
)
"""AST node types a snippet may contain (operators are all harmless)."""

_NODE_REASONS: dict[type[ast.AST], str] = {
    ast.Import: "import is not allowed",
    ast.ImportFrom: "import is not allowed",
    ast.FunctionDef: "def is not allowed",
    ast.AsyncFunctionDef: "def is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ClassDef: "class is not allowed",
    ast.While: "while is not allowed (use a for loop over a small range)",
    ast.Try: "try is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Await: "await is not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Delete: "del is not allowed",
    ast.Raise: "raise is not allowed",
    ast.Assert: "assert is not allowed",
    ast.Return: "return is not allowed",
    ast.AnnAssign: "annotations are not allowed",
    ast.AsyncFor: "async is not allowed",
    ast.AsyncWith: "async is not allowed",
    ast.Match: "match is not allowed",
}
if hasattr(ast, "TryStar"):
    _NODE_REASONS[ast.TryStar] = "try is not allowed"


class UnsafeSnippet(ValueError):
    """A snippet the validator refuses; ``str(e)`` is ``"line N: reason"``."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason

    def __reduce__(self):  # keep (line, reason) through copy/pickle protocols
        return (type(self), (self.line, self.reason))


def validate(code: str) -> None:
    """Raise :class:`UnsafeSnippet` unless ``code`` passes the allow-list."""
    if not isinstance(code, str):
        raise UnsafeSnippet(1, "the snippet must be a string")
    if len(code) > MAX_SOURCE_CHARS:
        raise UnsafeSnippet(1, f"the snippet is longer than {MAX_SOURCE_CHARS} characters")
    try:
        tree = ast.parse(code, "<snippet>", "exec")
    except SyntaxError as e:
        raise UnsafeSnippet(e.lineno or 1, f"syntax error: {e.msg}") from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise UnsafeSnippet(1, f"cannot parse: {type(e).__name__}") from None
    _check_size(tree)
    _Checker(_bound_names(tree)).visit(tree)


def _check_size(tree: ast.AST) -> None:
    # Iterative, so a deep tree cannot overflow our own stack.
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise UnsafeSnippet(_line(node), f"the snippet has more than {MAX_NODES} nodes")
        if depth > MAX_DEPTH:
            raise UnsafeSnippet(_line(node), "the snippet is nested too deeply")
        stack.extend((c, depth + 1) for c in ast.iter_child_nodes(node))


def _bound_names(tree: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 1) or 1


def _chain(node: ast.Attribute) -> tuple[str, list[str]] | None:
    """``nn.init.zeros_`` -> ("torch", ["nn", "init", "zeros_"]); None if not rooted at an alias."""
    attrs: list[str] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Attribute):
        attrs.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name) and cur.id in MODULE_ALIASES:
        parts = MODULE_ALIASES[cur.id].split(".")
        return parts[0], parts[1:] + attrs[::-1]
    return None


def _resolve(node: ast.AST) -> str | None:
    """Dotted torch name a chain resolves to (``nn.ReLU`` -> "torch.nn.ReLU")."""
    if isinstance(node, ast.Attribute):
        chain = _chain(node)
        if chain is not None:
            return ".".join([chain[0], *chain[1]])
    return None


class _Checker(ast.NodeVisitor):
    def __init__(self, bound: frozenset[str]) -> None:
        self.bound = bound
        self.class_ok: set[int] = set()  # ids of nodes where a torch class may appear

    # -- generic -------------------------------------------------------------
    def generic_visit(self, node: ast.AST) -> None:
        if not isinstance(node, ALLOWED_NODES):
            reason = _NODE_REASONS.get(type(node), f"{type(node).__name__} is not allowed")
            raise UnsafeSnippet(_line(node), reason)
        super().generic_visit(node)

    def fail(self, node: ast.AST, reason: str) -> None:
        raise UnsafeSnippet(_line(node), reason)

    # -- names ---------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("_"):
            self.fail(node, f"names starting with '_' are not allowed: {name}")
        if isinstance(node.ctx, ast.Store):
            if name in ALLOWED_BUILTINS or name in MODULE_ALIASES or name in DENIED_BUILTINS:
                self.fail(node, f"cannot assign to the name {name}")
            return
        if not isinstance(node.ctx, ast.Load):
            self.fail(node, "del is not allowed")
        if name in MODULE_ALIASES:
            self.fail(node, f"{name} can only be used as {name}.<name>")
        if name in DENIED_BUILTINS:
            self.fail(node, f"{name}() is not allowed")
        if name not in ALLOWED_BUILTINS and name not in self.bound:
            self.fail(node, f"unknown or disallowed name: {name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            self.fail(node, f"attributes starting with '_' are not allowed: .{node.attr}")
        chain = _chain(node)
        if chain is not None:
            self._torch_chain(node, *chain)
            return
        self._check_attr(node, node.attr, store=not isinstance(node.ctx, ast.Load))
        self.visit(node.value)

    def _check_attr(self, node: ast.AST, attr: str, store: bool = False) -> None:
        if attr.startswith("_"):
            self.fail(node, f"attributes starting with '_' are not allowed: .{attr}")
        if attr in DENIED_ATTRIBUTES or attr.startswith("register_"):
            self.fail(node, f".{attr} is not allowed")
        if attr not in ATTRIBUTES:
            self.fail(node, f".{attr} is not on the allow-list")
        if store and attr not in SETTABLE_ATTRIBUTES:
            self.fail(node, f"cannot assign to .{attr}")

    def _torch_chain(self, node: ast.Attribute, root: str, attrs: list[str]) -> None:
        if not isinstance(node.ctx, ast.Load):
            self.fail(node, "cannot assign to torch attributes")
        name = root
        for i, attr in enumerate(attrs):
            if attr.startswith("_"):
                self.fail(node, f"attributes starting with '_' are not allowed: .{attr}")
            name = f"{name}.{attr}"
            if name in TORCH_NAMESPACES:
                continue
            if name not in TORCH_NAMES:
                what = "is not allowed" if attr in DENIED_ATTRIBUTES else "is not on the allow-list"
                self.fail(node, f"{name} {what}")
            rest = attrs[i + 1 :]
            if not rest and name in TORCH_CLASSES and id(node) not in self.class_ok:
                self.fail(node, f"{name} can only be called or used in isinstance()")
            for extra in rest:
                self._check_attr(node, extra)
            return
        self.fail(node, f"{name} is a module: use {name}.<name>")

    # -- calls and statements -----------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        target = _resolve(node.func)
        self.class_ok.add(id(node.func))
        if isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2:
            kinds = node.args[1]
            self.class_ok.add(id(kinds))
            if isinstance(kinds, ast.Tuple):
                self.class_ok.update(id(e) for e in kinds.elts)
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(kw.value, "**kwargs is not allowed")
            if kw.arg in FORBIDDEN_KEYWORDS:
                self.fail(kw.value, f"the keyword argument {kw.arg}= is not allowed")
        if target in POSITIONAL_LIMITS:
            if len(node.args) > POSITIONAL_LIMITS[target]:
                self.fail(node, f"{target} takes at most {POSITIONAL_LIMITS[target]} positional arguments here")
            if any(isinstance(a, ast.Starred) for a in node.args):
                self.fail(node, f"*args is not allowed for {target}")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (
            isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, (str, bytes))
        ):
            self.fail(node, "%-formatting is not allowed")
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            ctx = item.context_expr
            if item.optional_vars is not None:
                self.fail(node, "'with ... as' is not allowed")
            if not (isinstance(ctx, ast.Call) and _resolve(ctx.func) in GRAD_CONTEXTS):
                self.fail(node, "with is only allowed with torch.no_grad() and similar")
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if node.is_async:
            self.fail(node.target, "async is not allowed")
        self.generic_visit(node)
