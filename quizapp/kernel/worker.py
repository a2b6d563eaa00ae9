"""The torch worker: the only process of quizapp that imports torch.

Run by the client as ``python -I -B /path/to/quizapp/kernel/worker.py
--parent-pid P --workdir D`` (``python -m quizapp.kernel.worker`` works too).
Protocol: JSON lines on stdin/stdout, never pickle.

* first line out: ``{"ready": true, "torch": "2.x", "pid": n, "startup_s": s}``
  (``startup_s``: seconds from this module's first line to ready, in-process);
* in: ``{"id": n, "code": "...", "timeout": s}`` or ``{"id": n, "codes":
  [...], "timeout": s}`` (``timeout`` in seconds, per snippet);
  out, one line per snippet: ``{"id": n, "index": i, "ok": true, "value":
  {...}, "stdout": "...", "duration_s": s}`` or ``{"id": n, "index": i,
  "ok": false, "error": {"type": "RuntimeError", "message": "first line",
  "line": 3 | null}, "stdout": "...", "duration_s": s}``;
* in: ``{"id": n, "op": "ping" | "env_keys" | "module_count"}``: diagnostics
  for the tests (the names of the environment variables; len(sys.modules));
* EOF on stdin: exit 0.
"""

from __future__ import annotations

import os
import sys
import time

_T0 = time.perf_counter()

if __name__ == "__main__" and not __package__:
    # Run by path under -I: the checkout holding quizapp/ is not on sys.path.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import argparse  # noqa: E402
import ast  # noqa: E402
import builtins  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from types import CodeType, TracebackType  # noqa: E402
from typing import Any, BinaryIO  # noqa: E402

from quizapp.kernel import sandbox, validator  # noqa: E402
from quizapp.kernel.protocol import MAX_REPLY_BYTES, MAX_STDOUT_CHARS, REPLY_TOO_LARGE  # noqa: E402

MAX_MESSAGE_CHARS = 500
"""Longest error message sent, in characters."""
MAX_REQUEST_BYTES = 1 << 20
"""Longest request line read, in bytes."""
SNIPPET_FILENAME = "<snippet>"


def _guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    """The snippets' __import__: torch's C code imports through the caller's
    builtins (e.g. torch.tensor([..]) looks up torch.storage), so keep that
    working for torch modules and modules already loaded, and nothing else.
    Snippets cannot name it (the validator refuses names starting with '_')."""
    if level == 0 and (name in sys.modules or name.split(".")[0] == "torch"):
        return builtins.__import__(name, globals, locals, fromlist, level)
    raise ImportError(f"sandbox: import of {name!r} is not allowed")


SAFE_BUILTINS: dict[str, Any] = {n: getattr(builtins, n) for n in validator.ALLOWED_BUILTINS}
SAFE_BUILTINS["__import__"] = _guarded_import


class SnippetTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so torch's `except Exception` cannot eat it."""


_armed = False


def _on_alarm(signum: int, frame: object) -> None:
    if _armed:
        raise SnippetTimeout()


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt Python-level work after ``seconds`` (wall clock)."""
    global _armed
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)


class _CappedWriter(io.TextIOBase):
    """A stdout that keeps the first ``limit`` characters written."""

    def __init__(self, limit: int = MAX_STDOUT_CHARS) -> None:
        self._limit = limit
        self._parts: list[str] = []
        self._size = 0
        self._truncated = False

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError("write() argument must be str")
        room = self._limit - self._size
        if room > 0:
            self._parts.append(s[:room])
            self._size += min(len(s), room)
        if len(s) > room:
            self._truncated = True
        return len(s)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        return text + "\n[output truncated]" if self._truncated else text


def _snippet_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SNIPPET_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _error(kind: str, message: str, line: int | None) -> dict[str, Any]:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return {"type": kind, "message": first[:MAX_MESSAGE_CHARS], "line": line}


#: Names of the runtime guards in a snippet's namespace (snippets cannot name
#: them: the validator refuses names starting with '_').
OWN_GUARD = "__quizapp_own__"
MOD_GUARD = "__quizapp_mod__"


def _own(obj: Any) -> Any:
    """The object whose attribute a snippet sets: only its own tensors and
    modules. A function or any other object reachable from torch outlives the
    snippet (``f = nn.Linear.forward; f.data = 'x'`` would stay)."""
    import torch

    if isinstance(obj, (torch.Tensor, torch.nn.Module)):
        return obj
    raise validator.UnsafeSnippet(0, f"attributes can be set on tensors and modules only, not on {type(obj).__name__}")


def _mod(left: Any, right: Any) -> Any:
    """``left % right``, refused for strings: %-formatting of a str held in a
    variable (``s = '%s'; s % x``), which the validator cannot see."""
    if isinstance(left, (str, bytes)):
        raise validator.UnsafeSnippet(0, "%-formatting is not allowed")
    return left % right


class _Guard(ast.NodeTransformer):
    """Route attribute stores through ``_own`` and ``%`` through ``_mod``.
    The snippet shown is the snippet that runs: for every value the validator
    lets through, the guarded code computes the same thing."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            guard = ast.Name(OWN_GUARD, ast.Load())
            node.value = ast.copy_location(ast.Call(guard, [node.value], []), node.value)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):
            call = ast.Call(ast.Name(MOD_GUARD, ast.Load()), [node.left, node.right], [])
            return ast.copy_location(call, node)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mod):
            if isinstance(node.target, ast.Name):  # x %= y -> x = _mod(x, y)
                load = ast.Name(node.target.id, ast.Load())
                call = ast.Call(ast.Name(MOD_GUARD, ast.Load()), [load, node.value], [])
                return ast.copy_location(ast.Assign([node.target], call), node)
            if isinstance(node.target, ast.Subscript):  # l[0] %= x could format a str in a list
                raise validator.UnsafeSnippet(node.lineno, "%= is not allowed on an item: use x = x % y")
            # an attribute: _own made sure it belongs to a tensor or a module, not a str
        return node


def _compile(code: str) -> tuple[CodeType, CodeType | None]:
    """Compile the body, and the last statement apart if it is an expression
    (both with the runtime guards of :class:`_Guard`)."""
    tree = ast.parse(code, SNIPPET_FILENAME, "exec")
    tree = ast.fix_missing_locations(_Guard().visit(tree))
    last = None
    final = tree.body[-1] if tree.body else None
    if isinstance(final, ast.Expr):
        tree.body.pop()
        last = ast.Expression(final.value)
    body = compile(tree, SNIPPET_FILENAME, "exec")
    return body, (compile(last, SNIPPET_FILENAME, "eval") if last is not None else None)


class Worker:
    """Runs snippets in fresh namespaces; torch is imported by the constructor."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # Without numpy (not a dependency) torch warns at import. Snippets
            # cannot reach numpy (the validator refuses .numpy()), so the warning
            # would only crowd a start-up failure's message.
            warnings.filterwarnings("ignore", message="Failed to initialize NumPy")
            import torch

        from quizapp.kernel import encoding

        self.torch = torch
        self.encode = encoding.encode
        self.too_large = encoding.ValueTooLarge
        torch.set_num_threads(1)
        #: The random state every snippet starts from: that of a fresh process.
        self.initial_seed = torch.initial_seed()
        self._warm_up()

    def _warm_up(self) -> None:
        # Do the lazy imports typical snippets trigger now, before the audit hook.
        import torch.nn.functional
        import torch.utils.data  # noqa: F401

        for code in (
            "x = torch.ones(2, requires_grad=True); (x * x).sum().backward(); x.grad",
            "sum(1 for b in torch.utils.data.DataLoader("
            "torch.utils.data.TensorDataset(torch.zeros(4, 1)), batch_size=2))",
            "m = nn.Conv2d(1, 1, 1)\nm(torch.zeros(1, 1, 2, 2)).sum().backward()\n"
            "with torch.no_grad():\n    m.weight -= 0.1 * m.weight.grad\nm",
            "print(torch.zeros(2)); F.relu(torch.tensor([1.0, -1.0])).dtype",
            "torch.max(torch.tensor([[1, 3, 2]]), 1)",
        ):
            reply = self.run(code, timeout=30.0)
            if not reply["ok"]:  # a torch upgrade changed something: say so, carry on
                print(f"quizapp kernel: warm-up failed: {reply['error']}", file=sys.stderr)

    def reset(self) -> None:
        """Undo global torch state a snippet may have changed: grad mode,
        default dtype, and the random generator (its state and
        ``initial_seed()``), so each snippet starts as in a fresh process."""
        torch = self.torch
        torch.set_grad_enabled(True)
        torch.set_default_dtype(torch.float32)
        torch.default_generator.manual_seed(self.initial_seed)

    def run(self, code: str, timeout: float) -> dict[str, Any]:
        """Run one snippet; the reply without its id (see the module docstring)."""
        start = time.perf_counter()
        out = _CappedWriter()
        try:
            validator.validate(code)
            body, last = _compile(code)
        except validator.UnsafeSnippet as e:
            return self._reply(start, out, error=_error("UnsafeSnippet", str(e), e.line))
        except SyntaxError as e:
            return self._reply(start, out, error=_error("SyntaxError", e.msg, e.lineno))
        namespace: dict[str, Any] = {
            "__builtins__": SAFE_BUILTINS,
            OWN_GUARD: _own,
            MOD_GUARD: _mod,
            "torch": self.torch,
            "nn": self.torch.nn,
            "F": self.torch.nn.functional,
        }
        self.reset()
        sandbox.set_cpu_budget(timeout)
        try:
            with contextlib.redirect_stdout(out), _deadline(timeout):
                exec(body, namespace)
                value = eval(last, namespace) if last is not None else None
                encoded = self.encode(value)
        except SnippetTimeout:
            error = _error("Timeout", f"the snippet ran longer than {timeout:g} s", None)
            return self._reply(start, out, error=error)
        except self.too_large as e:
            return self._reply(start, out, error=_error(REPLY_TOO_LARGE, str(e), None))
        except validator.UnsafeSnippet as e:  # refused by a runtime guard
            line = _snippet_line(e.__traceback__)
            return self._reply(start, out, error=_error("UnsafeSnippet", f"line {line}: {e.reason}", line))
        except BaseException as e:
            error = _error(type(e).__name__, str(e), _snippet_line(e.__traceback__))
            return self._reply(start, out, error=error)
        finally:
            namespace.clear()
            self.reset()
        return self._reply(start, out, value=encoded)

    @staticmethod
    def _reply(
        start: float, out: _CappedWriter, value: dict[str, Any] | None = None, error: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        reply: dict[str, Any] = {"ok": error is None}
        if error is None:
            reply["value"] = value
        else:
            reply["error"] = error
        reply["stdout"] = out.getvalue()
        reply["duration_s"] = round(time.perf_counter() - start, 6)
        return reply

    def handle(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Replies to one request, one per snippet."""
        rid = request.get("id")
        op = request.get("op", "run")
        if op == "ping":
            yield {"id": rid, "index": 0, "ok": True, "value": self.encode("pong"), "stdout": ""}
        elif op == "env_keys":
            keys = sorted(os.environ)
            yield {"id": rid, "index": 0, "ok": True, "value": self.encode(keys), "stdout": ""}
        elif op == "module_count":  # lets tests catch lazy imports after start-up
            yield {"id": rid, "index": 0, "ok": True, "value": self.encode(len(sys.modules)), "stdout": ""}
        elif op == "run":
            codes = request["codes"] if "codes" in request else [request.get("code")]
            timeout = float(request.get("timeout", 5.0))
            for i, code in enumerate(codes):
                yield {"id": rid, "index": i, **self.run(code, timeout)}
        else:
            yield {
                "id": rid,
                "index": 0,
                "ok": False,
                "stdout": "",
                "error": _error("ProtocolError", f"unknown op {op!r}", None),
            }


def _take_stdout() -> BinaryIO:
    """Keep fd 1 for the protocol only; C-level prints go to stderr instead."""
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    return proto


def _send(proto: BinaryIO, message: dict[str, Any]) -> None:
    """Write one reply line, never longer than MAX_REPLY_BYTES (an error instead)."""
    try:
        data = json.dumps(message, allow_nan=False).encode()
    except (TypeError, ValueError) as e:
        data = _failure_line(message, _error("EncodingError", str(e), None))
    if len(data) > MAX_REPLY_BYTES:
        too_large = f"the reply is too large to show ({len(data) // 1024} KB; at most {MAX_REPLY_BYTES // 1024} KB)"
        data = _failure_line(message, _error(REPLY_TOO_LARGE, too_large, None))
    proto.write(data + b"\n")


def _failure_line(message: dict[str, Any], error: dict[str, Any]) -> bytes:
    reply = {"id": message.get("id"), "index": message.get("index"), "ok": False, "stdout": "", "error": error}
    return json.dumps(reply).encode()


def main(argv: list[str] | None = None) -> int:
    """Set up the sandbox, import torch, announce readiness, serve requests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--workdir", default=None, help="empty directory to run in")
    args = parser.parse_args(argv)

    sandbox.die_with_parent(args.parent_pid)
    sandbox.set_limits()
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    proto = _take_stdout()
    os.chdir(args.workdir or tempfile.mkdtemp(prefix="quizapp-kernel-"))

    worker = Worker()
    # After torch and the warm-up's lazy imports: the budget does not depend on
    # how much the torch build maps (see sandbox.limit_memory).
    sandbox.limit_memory()
    sandbox.limit_open_files()
    sandbox.install_audit_hook()
    _send(
        proto,
        {
            "ready": True,
            "torch": worker.torch.__version__,
            "pid": os.getpid(),
            "startup_s": round(time.perf_counter() - _T0, 3),
        },
    )

    stdin = sys.stdin.buffer
    try:
        while True:
            line = stdin.readline(MAX_REQUEST_BYTES)
            if not line:
                return 0
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("a request is a JSON object")
            except ValueError as e:
                _send(
                    proto,
                    {"id": None, "index": 0, "ok": False, "stdout": "", "error": _error("ProtocolError", str(e), None)},
                )
                continue
            for reply in worker.handle(request):
                _send(proto, reply)
    except BrokenPipeError:  # the client went away
        return 0


if __name__ == "__main__":
    sys.exit(main())
