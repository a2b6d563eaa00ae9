"""What a question family is, and how a built snippet becomes a question.

A family is pure Python: from a seeded random generator it builds a snippet,
names the kind of answer, and lists misconception variants of the same
snippet. Nothing here runs torch: the kernel runs the snippets, and
``assemble`` turns the kernel's replies into the answer and the choices.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from quizapp.domain import AnswerKind


@dataclass(frozen=True)
class Variant:
    """The same snippet as a learner with a misconception would picture it."""

    code: str
    #: Key of the misconception, e.g. "aligned_left"; shown in statistics.
    mistake: str
    #: What the misconception is, for the learner: {"es": ..., "en": ...};
    #: the family's ``mistakes[mistake]``.
    label: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    """A built question before it runs."""

    code: str
    answer_kind: str
    #: The question, per language: {"es": ..., "en": ...}.
    prompt: dict[str, str]
    #: The rule, shown after answering: {"es": ..., "en": ...}.
    explanation: dict[str, str]
    variants: tuple[Variant, ...] = ()
    #: Plausible wrong answers in canonical form, used when the variants
    #: give fewer than three distinct distractors.
    fallbacks: tuple[str, ...] = ()
    #: For snippets that may raise: the error offered among the choices of
    #: every question of this kind, raising or not, so that an error among
    #: the choices doesn't give the answer away ("" when none can raise).
    error_choice: str = ""
    #: The same question with draws that can't tie (floats instead of small
    #: ints): when its answer differs, the snippet's answer rests on a chance
    #: tie and would teach the wrong rule, so the question is built again
    #: ("" when no draw can tie).
    control: str = ""


class Family(Protocol):
    """A generator of questions about one PyTorch rule."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> dict[str, str]: ...
    @property
    def answer_kind(self) -> str: ...

    @property
    def mistakes(self) -> Mapping[str, Mapping[str, str]]:
        """Every misconception its variants name: key -> {"es": label, "en": label}.
        Each ``Variant`` carries its key's labels from here; statistics read them
        here, without building drafts."""
        ...

    def build(self, rng: random.Random) -> Draft: ...


class Reply(Protocol):
    """What the kernel answers for one snippet (quizapp.kernel.client.Result)."""

    @property
    def ok(self) -> bool: ...
    @property
    def value(self) -> dict[str, Any] | None: ...
    @property
    def error_type(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...


@dataclass(frozen=True)
class Question:
    """A question ready to show: the answer came from running ``code``."""

    family: str
    seed: int
    prompt: str
    code: str
    answer_kind: str
    answer: str
    choices: tuple[str, ...]
    explanation: str
    torch: str
    #: What torch printed for the snippet (its value, or the error and message).
    printed: str
    #: Distractor -> misconception key, to name the learner's mistake.
    mistakes: dict[str, str] = field(default_factory=dict)
    #: Misconception key -> what it is, in the question's language.
    mistake_labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "family": self.family,
            "seed": self.seed,
            "prompt": self.prompt,
            "code": self.code,
            "answer_kind": self.answer_kind,
            "answer": self.answer,
            "choices": list(self.choices),
            "explanation": self.explanation,
            "torch": self.torch,
        }


class QuestionError(RuntimeError):
    """The kernel couldn't produce an answer (timeout, refused, dead)."""


#: Kernel error types that are not an answer but a failure to get one.
KERNEL_FAILURES = frozenset({"UnsafeSnippet", "Timeout", "KernelDied", "NotRun", "KernelUnavailable", "ReplyTooLarge"})


def canonical(reply: Reply, kind: str) -> str:
    """The canonical answer string for ``reply`` read as ``kind``.

    An exception is always answered by its class name, whatever the kind.
    """
    if not reply.ok:
        return str(reply.error_type)
    if kind == AnswerKind.OUTPUT:
        return getattr(reply, "stdout", "").strip()
    value = reply.value or {}
    vtype = value.get("type")
    if kind == AnswerKind.SHAPE:
        if vtype in ("size", "tensor"):
            return format_shape(value["shape"])
        if vtype in ("tuple", "list"):
            return format_shape([item["value"] for item in value["items"]])
    if kind == AnswerKind.DTYPE:
        if vtype == "dtype":
            return value["value"]
        if vtype == "tensor":
            return value["dtype"]
    if kind == AnswerKind.VALUES:
        if vtype == "tensor":
            return json.dumps(value["values"])
        return json.dumps(_plain(value))
    if kind == AnswerKind.FLOAT:
        number: Any = value.get("value") if vtype != "tensor" else value.get("values")
        return repr(round(float(number), 4))
    if kind == AnswerKind.INT:
        number = value.get("value") if vtype != "tensor" else value.get("values")
        return str(int(number))
    if kind == AnswerKind.BOOL:
        flag = value.get("value") if vtype != "tensor" else value.get("values")
        return str(bool(flag))
    return printed(reply)


_ERROR_NAME = re.compile(r"[A-Z][A-Za-z]*(Error|Exception)")


def is_error_name(answer: str) -> bool:
    """Is ``answer`` the canonical answer of a snippet that raises (a class name)?"""
    return _ERROR_NAME.fullmatch(answer) is not None


def format_shape(shape: Sequence[int]) -> str:
    """(4, 3, 2), (5,), ()"""
    dims = [int(d) for d in shape]
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _plain(value: dict):
    """An encoded value back to plain JSON-able Python."""
    vtype = value.get("type")
    if vtype in ("tuple", "list"):
        return [_plain(item) for item in value["items"]]
    if vtype == "tensor":
        return value["values"]
    if vtype == "size":
        return value["shape"]
    return value.get("value", value.get("repr"))


def printed(reply: Reply) -> str:
    """What torch showed, in short: the value, or "Error: message"."""
    if not reply.ok:
        return f"{reply.error_type}: {reply.error_message or ''}".strip()
    value = reply.value or {}
    vtype = value.get("type")
    if vtype == "tensor":
        text = f"tensor(shape={format_shape(value['shape'])}, dtype={value['dtype']}"
        if value.get("values") is not None:
            text += f", values={json.dumps(value['values'])}"
        return text + ")"
    if vtype == "size":
        return f"torch.Size({list(value['shape'])})"
    if vtype in ("tuple", "list"):
        return json.dumps(_plain(value))
    return str(value.get("value", value.get("repr", "")))


Runner = Callable[[list[str]], Sequence[Reply]]

#: Builds of one seed tried before giving up on drafts whose ``control`` disagrees.
MAX_ATTEMPTS = 8


def assemble(family: Family, seed: int, runner: Runner, *, lang: str = "es", torch_version: str = "") -> Question:
    """Build the question of ``family`` for ``seed``: run its snippet and its
    misconception variants in one round trip, and keep each distinct wrong
    answer as a distractor. Raises QuestionError when the kernel fails."""
    for attempt in range(MAX_ATTEMPTS):
        # Deterministic: the same seed always ends on the same question.
        draft = family.build(random.Random(seed if attempt == 0 else f"{seed}:{attempt}"))
        controls = [draft.control] if draft.control else []
        replies = runner([draft.code] + [v.code for v in draft.variants] + controls)
        main = replies[0]
        if not main.ok and main.error_type in KERNEL_FAILURES:
            raise QuestionError(f"{family.name} (seed {seed}): {main.error_type}: {main.error_message}")
        answer = canonical(main, draft.answer_kind)
        if not controls or canonical(replies[-1], draft.answer_kind) == answer:
            break
    else:
        raise QuestionError(f"{family.name} (seed {seed}): every draw rested on a coincidence")
    replies = replies[: len(replies) - len(controls)]
    mistakes: dict[str, str] = {}
    for variant, reply in zip(draft.variants, replies[1:]):
        if not reply.ok and reply.error_type in KERNEL_FAILURES:
            continue
        wrong = canonical(reply, draft.answer_kind)
        if wrong != answer and wrong not in mistakes:
            mistakes[wrong] = variant.mistake
    distractors = list(mistakes)[:3]
    for extra in draft.fallbacks:
        if len(distractors) >= 3:
            break
        if extra != answer and extra not in distractors:
            distractors.append(extra)
    if draft.error_choice and main.ok and not any(is_error_name(d) for d in distractors):
        distractors = [*distractors[:2], draft.error_choice]
    choices = [answer, *distractors]
    random.Random(f"{family.name}:{seed}:choices").shuffle(choices)
    return Question(
        family=family.name,
        seed=seed,
        prompt=draft.prompt.get(lang) or draft.prompt["en"],
        code=draft.code,
        answer_kind=draft.answer_kind,
        answer=answer,
        choices=tuple(choices),
        explanation=draft.explanation.get(lang) or draft.explanation["en"],
        torch=torch_version,
        printed=printed(main),
        mistakes=mistakes,
        mistake_labels={v.mistake: v.label.get(lang) or v.label.get("en", v.mistake) for v in draft.variants},
    )
