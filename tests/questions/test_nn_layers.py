"""The nn_layers family: nn.Linear / nn.Conv2d output shapes, weight shapes, parameter counts.

What every family must do is checked in test_family_contract.py.
"""

from __future__ import annotations

import re

from quizapp.questions.families import nn_layers as module

FAMILY = module.FAMILY


CONV_RE = re.compile(
    r"torch\.manual_seed\(0\)\nconv = nn\.Conv2d\((\d+), (\d+), kernel_size=(\d+)(?:, stride=(\d+))?(?:, padding=(\d+))?\)\n"
    r"conv\(torch\.zeros\((\d+), (\d+), (\d+), (\d+)\)\)\.shape"
)
LINEAR_RE = re.compile(
    r"torch\.manual_seed\(0\)\nlayer = nn\.Linear\((\d+), (\d+)\)\nlayer\(torch\.zeros\((.*)\)\)\.shape"
)
COUNT = "sum(p.numel() for p in layer.parameters())"


def _fmt(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def test_snippets_seed_before_building_layers(built):
    for draft, _, _ in built.values():
        assert draft.code.startswith("torch.manual_seed(0)\n")


def test_conv_shapes_follow_the_formula(built):
    seen = 0
    for seed, (draft, q, _) in built.items():
        m = CONV_RE.fullmatch(draft.code)
        if not m:
            continue
        cin, cout, k = int(m.group(1)), int(m.group(2)), int(m.group(3))
        s, p = int(m.group(4) or 1), int(m.group(5) or 0)
        n, c, h, w = (int(m.group(i)) for i in range(6, 10))
        if c != cin:
            assert q.answer == "RuntimeError", (seed, draft.code)
            assert "channels_not_checked" in q.mistakes.values() or "channels_last_accepted" in q.mistakes.values()
        else:
            out = [(size + 2 * p - k) // s + 1 for size in (h, w)]
            assert q.answer == _fmt([n, cout, *out]), (seed, draft.code, q.answer)
            if p:
                no_pad = [(size - k) // s + 1 for size in (h, w)]
                assert _fmt([n, cout, *no_pad]) in q.choices  # padding forgotten
        seen += 1
    assert seen >= 40


def test_linear_acts_on_the_last_dimension(built):
    seen = errors = 0
    for seed, (draft, q, _) in built.items():
        m = LINEAR_RE.fullmatch(draft.code)
        if not m:
            continue
        i, o = int(m.group(1)), int(m.group(2))
        x = [int(d) for d in m.group(3).split(",")]
        if x[-1] != i:
            assert q.answer == "RuntimeError", (seed, draft.code)
            errors += 1
        else:
            assert q.answer == _fmt(x[:-1] + [o]), (seed, draft.code)
            assert _fmt(x[:-1] + [i]) in q.choices  # in/out swapped
        seen += 1
    assert seen >= 25 and errors >= 8


def test_parameter_counts(built):
    seen = set()
    for seed, (draft, q, _) in built.items():
        if not draft.code.endswith(COUNT):
            continue
        layer = draft.code.splitlines()[1]
        bias = "bias=False" not in layer
        lin = re.fullmatch(r"layer = nn\.Linear\((\d+), (\d+)(, bias=(True|False))?\)", layer)
        conv = re.fullmatch(r"layer = nn\.Conv2d\((\d+), (\d+), kernel_size=(\d+)(, bias=(True|False))?\)", layer)
        seq = re.fullmatch(
            r"layer = nn\.Sequential\(nn\.Linear\((\d+), (\d+)(?:, bias=False)?\), nn\.ReLU\(\), "
            r"nn\.Linear\((\d+), (\d+)(?:, bias=False)?\)\)",
            layer,
        )
        if lin:
            i, o = int(lin.group(1)), int(lin.group(2))
            expected, wrong = i * o + (o if bias else 0), i * o + (0 if bias else o)
            seen.add("linear")
        elif conv:
            cin, cout, k = (int(conv.group(g)) for g in (1, 2, 3))
            expected = cout * cin * k * k + (cout if bias else 0)
            wrong = cout * cin * k * k + (0 if bias else cout)
            seen.add("conv")
        else:
            assert seq, layer
            a, h, h2, c = (int(seq.group(g)) for g in (1, 2, 3, 4))
            assert h == h2
            expected = a * h + h * c + ((h + c) if bias else 0)
            wrong = a * h + h * c + (0 if bias else h + c)
            seen.add("sequential")
        assert q.answer == str(expected), (seed, draft.code, q.answer)
        assert str(wrong) in q.choices, (seed, draft.code)  # bias forgotten / added
        seen.add(bias)
    assert seen == {"linear", "conv", "sequential", True, False}


def test_weight_shapes_are_out_then_in(built):
    seen = 0
    for draft, q, _ in built.values():
        if not draft.code.endswith("layer.weight.shape"):
            continue
        lin = re.search(r"nn\.Linear\((\d+), (\d+)\)", draft.code)
        conv = re.search(r"nn\.Conv2d\((\d+), (\d+), kernel_size=(\d+)\)", draft.code)
        if lin:
            assert q.answer == _fmt([int(lin.group(2)), int(lin.group(1))])
        else:
            k = int(conv.group(3))
            assert q.answer == _fmt([int(conv.group(2)), int(conv.group(1)), k, k])
        seen += 1
    assert seen >= 3
