"""End to end: `quizapp ask --json` against a separate, fresh torch process.

For every family and many seeds, the answer key printed by `ask` (computed in
the sandboxed kernel) must equal what plain torch computes from `code`, read
by this test's own canonicalisation, not quizapp's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("torch")

COUNT = 12  # questions per family

CHECKER = r"""
import ast, json, math, sys
import torch

def rounded(x):
    if isinstance(x, torch.Tensor):
        return rounded(x.tolist())
    if isinstance(x, (list, tuple)):
        return [rounded(v) for v in x]
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return round(x, 4)
    return x

def shape_text(dims):
    dims = [int(d) for d in dims]
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"

def scalar(v):
    return v.item() if isinstance(v, torch.Tensor) else v

def canon(v, kind):
    if kind == "shape":
        return shape_text(v.shape if isinstance(v, torch.Tensor) else v)
    if kind == "dtype":
        return str(v.dtype if isinstance(v, torch.Tensor) else v)
    if kind == "bool":
        return str(bool(scalar(v)))
    if kind == "int":
        return str(int(scalar(v)))
    if kind == "float":
        return repr(round(float(scalar(v)), 4))
    if kind == "values":
        return json.dumps(rounded(v))
    return str(v)

out = []
for line in sys.stdin:
    q = json.loads(line)
    tree = ast.parse(q["code"])
    last = tree.body.pop()
    ns = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    try:
        exec(compile(tree, "<code>", "exec"), ns)
        value = eval(compile(ast.Expression(last.value), "<code>", "eval"), ns)
        got = canon(value, q["answer_kind"])
    except Exception as e:
        got = type(e).__name__
    finally:
        torch.set_grad_enabled(True)
    out.append(got)
print(json.dumps(out))
"""


def _ask(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "ask", "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def asked() -> str:
    return _ask("--seed", "1000", "--count", str(COUNT))


def test_every_answer_key_matches_fresh_torch(asked):
    questions = [json.loads(line) for line in asked.splitlines()]
    families = {q["family"] for q in questions}
    assert len(families) >= 15 and len(questions) == COUNT * len(families)
    result = subprocess.run([sys.executable, "-c", CHECKER], input=asked, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    fresh = json.loads(result.stdout)
    mismatches = [(q["family"], q["seed"], q["answer"], got) for q, got in zip(questions, fresh) if q["answer"] != got]
    assert mismatches == []


def test_contract_fields_and_choices(asked):
    for line in asked.splitlines():
        q = json.loads(line)
        assert set(q) == {
            "family",
            "seed",
            "prompt",
            "code",
            "answer_kind",
            "answer",
            "choices",
            "explanation",
            "torch",
        }
        assert q["choices"].count(q["answer"]) == 1
        assert len(set(q["choices"])) == len(q["choices"]) >= 2
        assert q["torch"].startswith("2.")
        assert q["prompt"] and q["explanation"]


def test_same_seed_same_output_byte_for_byte():
    assert _ask("matmul", "aliasing", "--seed", "7", "--count", "3") == _ask(
        "matmul", "aliasing", "--seed", "7", "--count", "3"
    )


def test_list_json_and_unknown_family():
    listed = json.loads(
        subprocess.run(
            [sys.executable, "-m", "quizapp", "ask", "--list", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    assert all(set(row) == {"family", "title", "answer_kind"} for row in listed)
    assert len(listed) >= 15
    bad = subprocess.run(
        [sys.executable, "-m", "quizapp", "ask", "os.system"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == "quizapp ask: unknown family 'os.system' (see quizapp ask --list)"
