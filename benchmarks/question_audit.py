"""What a learner could exploit or miss in the generated questions, per
family, over many seeds (issue 12, "No tells"):

- templates: distinct snippets once numbers, strings and literal lists are
  normalised (``(2, 3)`` and ``(4,)`` count as one);
- choices: the share of questions with at least four distinct choices;
- error tell: when an error class is among the choices, how often it is the
  answer (a fair family is near 1 in the number of choices, not 2 in 3);
- decimals tell: the share of questions whose answer is the only choice
  written with a decimal point (or the only one without).

    .venv/bin/python benchmarks/question_audit.py [--seeds N] [--family NAME]

Runs the snippets in the sandboxed kernel, as the app does.
"""

from __future__ import annotations

import argparse
import re

from quizapp.kernel import Kernel
from quizapp.questions import all_families, assemble
from quizapp.questions.base import QuestionError

_NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_TUPLE = re.compile(r"\(\s*N(\s*,\s*N)*\s*,?\s*\)|\[\s*N(\s*,\s*N)*\s*,?\s*\]")


def template(code: str) -> str:
    """``code`` with literals replaced, so that sizes and values don't count."""
    text = _STRING.sub("S", code)
    text = _NUMBER.sub("N", text)
    previous = None
    while previous != text:  # nested literal lists collapse from the inside
        previous, text = text, _TUPLE.sub("L", text)
    return " ".join(text.split())


def _is_error(choice: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\w*(Error|Exception)|Error", choice))


def _decimal(choice: str) -> bool:
    return "." in choice and not choice.startswith("torch.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300, help="seeds per family")
    parser.add_argument("--family", help="only this family")
    args = parser.parse_args()
    kernel = Kernel()
    kernel.start()
    assert kernel.wait_ready(120), "the kernel did not start"
    print(
        f"{'family':<16} {'templates':>9} {'>=4 choices':>11} {'error offered':>13} {'error is answer':>15} {'decimal tell':>12}"
    )
    for name, family in all_families().items():
        if args.family and name != args.family:
            continue
        templates: set[str] = set()
        four = offered = error_answer = decimal_tell = built = 0
        for seed in range(args.seeds):
            try:
                question = assemble(family, seed, kernel.run_many)
            except QuestionError:
                continue
            built += 1
            templates.add(template(question.code))
            choices = question.choices
            four += len(set(choices)) >= 4
            if any(_is_error(c) for c in choices):
                offered += 1
                error_answer += _is_error(question.answer)
            marked = [c for c in choices if _decimal(c)]
            unmarked = [c for c in choices if not _decimal(c)]
            if len(choices) > 2 and ([question.answer] == marked or [question.answer] == unmarked):
                decimal_tell += 1
        share = (error_answer / offered) if offered else 0.0
        print(
            f"{name:<16} {len(templates):>9} {four / built:>11.0%} {offered / built:>13.0%} {share:>15.0%}"
            f" {decimal_tell / built:>12.0%}"
        )
    kernel.close()


if __name__ == "__main__":
    main()
