"""The FSRS optimizer's worker: fits a learner's parameters with the `fsrs`
package's Optimizer (which needs torch), in its own process.

Run by quizapp/kernel/optimizer_client.py as ``python -I -B
/path/to/quizapp/kernel/optimizer_worker.py --parent-pid P`` (``python -m
quizapp.kernel.optimizer_worker`` works too). One job per process; JSON
lines, never pickle.

* in, one line: ``{"rows": [{"card": "deck:id", "time": "2026-03-02T09:00:00+00:00",
  "rating": 3, "duration_ms": 4200}, ...], "cutoff": "<iso time>" | null,
  "current": [21 floats]}``. Reviews before ``cutoff`` are fitted; those at
  or after it are held out to compare ``current`` with the fitted
  parameters (quizapp/optimizing.py explains the figures);
* out: ``{"progress": done, "total": n, "stage": "load" | "fit" | "evaluate"}``
  lines, then one ``{"result": {"parameters": [...], "before": {"log_loss",
  "rmse", "count"} | null, "after": {...} | null, "train_reviews": n,
  "seconds": s}}`` or ``{"error": {"type": "...", "message": "..."}}``.

Limits, from quizapp/kernel/sandbox.py: dies with its parent, address space
capped, no file may grow, no core dumps, a CPU budget, and once torch and
the optimizer are imported an audit hook refuses writes, processes and
sockets. torch is imported inside :func:`main` only: importing this module
does not load it.
"""

from __future__ import annotations

import os
import sys
import time

if __name__ == "__main__" and not __package__:
    # Run by path under -I: the checkout holding quizapp/ is not on sys.path.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import argparse
import json
from datetime import UTC, datetime
from typing import Any, BinaryIO

from quizapp.kernel import sandbox
from quizapp.optimizing import MAX_SEQ_LEN, ReviewRow, by_card, evaluate, trainable_reviews

#: Address space of the optimizer's process: torch, numpy and pandas map
#: about 1 GiB; the autograd graph of a mini-batch is small.
ADDRESS_SPACE_BYTES = 4 << 30
#: CPU seconds the whole fit may use (10,000 reviews take about half a minute).
CPU_BUDGET_S = 3600.0
#: Seconds between progress lines, at most.
PROGRESS_EVERY_S = 0.2


class _Reporter:
    """Counts the optimizer's review_card calls and sends progress lines."""

    def __init__(self, proto: BinaryIO, stage: str, total: int) -> None:
        self.proto, self.stage, self.total = proto, stage, max(total, 1)
        self.done = 0
        self._last = 0.0

    def tick(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S or self.done >= self.total:
            self._last = now
            _send(self.proto, {"progress": min(self.done, self.total), "total": self.total, "stage": self.stage})


def fit(rows: list[ReviewRow], reporter: _Reporter | None = None) -> list[float]:
    """The fsrs Optimizer's parameters for ``rows``. Progress counts its
    card replays: one pass to count reviews, then per epoch a training pass
    and a pass to compute the loss."""
    import fsrs.optimizer as fsrs_optimizer

    ids = {card: i for i, card in enumerate(by_card(rows), start=1)}
    logs = [
        fsrs_optimizer.ReviewLog(
            card_id=ids[r.card],
            rating=fsrs_optimizer.Rating(r.rating),
            review_datetime=r.time,
            review_duration=r.duration_ms,
        )
        for r in rows
    ]
    if reporter is not None:
        steps = sum(min(len(v), MAX_SEQ_LEN) for v in by_card(rows).values())
        reporter.total = max(steps * (1 + 2 * fsrs_optimizer.num_epochs), 1)
        tick = reporter.tick

        class CountingScheduler(fsrs_optimizer.Scheduler):
            def review_card(self, *args: Any, **kwargs: Any) -> Any:
                tick()
                return super().review_card(*args, **kwargs)

        # The optimizer builds its schedulers from this module-level name;
        # this process does nothing else, so replacing it is safe (mypy
        # forbids assigning to a class name, which is the point here).
        fsrs_optimizer.Scheduler = CountingScheduler  # type: ignore[misc]
    return [float(p) for p in fsrs_optimizer.Optimizer(logs).compute_optimal_parameters(verbose=False)]


def parse(request: Any) -> tuple[list[ReviewRow], datetime | None, list[float]]:
    """(rows, cutoff, current parameters) of a request; ValueError if malformed."""
    if not isinstance(request, dict) or not isinstance(request.get("rows"), list):
        raise ValueError("the request is a JSON object with a list of rows")
    rows = [ReviewRow.from_json(r) for r in request["rows"]]
    cutoff = request.get("cutoff")
    since = datetime.fromisoformat(cutoff).astimezone(UTC) if cutoff else None
    current = [float(p) for p in request["current"]]
    return rows, since, current


def run(rows: list[ReviewRow], since: datetime | None, current: list[float], proto: BinaryIO) -> dict[str, Any]:
    """Fit on the rows before ``since``, evaluate both parameter sets after it."""
    started = time.perf_counter()
    train = [r for r in rows if since is None or r.time < since]
    parameters = fit(train, _Reporter(proto, "fit", 1))
    _send(proto, {"progress": 0, "total": 2, "stage": "evaluate"})
    before = evaluate(rows, current, since=since)
    _send(proto, {"progress": 1, "total": 2, "stage": "evaluate"})
    after = evaluate(rows, parameters, since=since)
    _send(proto, {"progress": 2, "total": 2, "stage": "evaluate"})
    return {
        "parameters": parameters,
        "before": before.to_json() if before else None,
        "after": after.to_json() if after else None,
        "train_reviews": trainable_reviews(train),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _warm_up(torch: Any) -> None:
    """One step of what the optimizer does (Adam, a cosine learning rate,
    BCE loss, backward), before the audit hook: torch.optim imports
    torch._dynamo on first use, and that import looks for a writable
    temporary directory, which the hook would refuse."""
    import tempfile

    # Its writability probe would fail under RLIMIT_FSIZE = 0: name the empty
    # working directory the client made instead. Nothing is written there.
    tempfile.tempdir = os.getcwd()
    param = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam([param], lr=0.1)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer=adam, T_max=1)
    loss = torch.nn.BCELoss()(param.clamp(0.01, 0.99), torch.tensor([1.0], dtype=torch.float64))
    adam.zero_grad()
    loss.backward()
    adam.step()
    schedule.step()


def _take_stdout() -> BinaryIO:
    """Keep fd 1 for the protocol only; stray prints go to stderr instead."""
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


def _send(proto: BinaryIO, message: dict[str, Any]) -> None:
    proto.write(json.dumps(message, allow_nan=False).encode() + b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parent-pid", type=int, default=None)
    args = parser.parse_args(argv)

    sandbox.die_with_parent(args.parent_pid)
    sandbox.set_limits(ADDRESS_SPACE_BYTES)
    sandbox.set_cpu_budget(CPU_BUDGET_S)
    sys.dont_write_bytecode = True
    proto = _take_stdout()
    try:
        rows, since, current = parse(json.loads(sys.stdin.buffer.read()))
        _send(proto, {"progress": 0, "total": 1, "stage": "load"})
        import fsrs.optimizer
        import torch

        if not hasattr(fsrs.optimizer, "num_epochs"):  # its optional imports failed
            raise ImportError(
                "the fsrs optimizer needs torch, numpy, pandas and tqdm: pip install 'quizapp[optimizer]'"
            )
        torch.set_num_threads(1)
        _warm_up(torch)
        sandbox.install_audit_hook()
        _send(proto, {"progress": 1, "total": 1, "stage": "load"})
        result = run(rows, since, current, proto)
    except BrokenPipeError:  # the client went away
        return 0
    except Exception as exc:  # reported, never a traceback on the protocol
        _send(proto, {"error": {"type": type(exc).__name__, "message": str(exc).splitlines()[0] if str(exc) else ""}})
        return 1
    _send(proto, {"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
