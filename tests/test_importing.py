"""`quizapp import`: all or nothing, idempotent, code cards settled by torch."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import Session, select

from quizapp.cli import main
from quizapp.store.models import Card

GOOD = """\
format = 1
[deck]
id = "mine"
name = "Mine"

[[cards]]
id = "basic"
front = "Q?"
back = "A"

[[cards]]
id = "shape"
type = "code"
front = "Shape?"
code = "torch.zeros({n}, 3).sum(dim=0).shape"
params = { n = [2, 3] }

[[cards]]
id = "printed"
type = "code"
code = '''
x = torch.arange(4)
print(x.sum())
'''

[[cards]]
id = "empty"
type = "code"
code = '''
x = torch.empty(3, 4)
print(x)
'''

[[cards]]
id = "typo"
type = "code"
code = "y = torch.ones(2)\\nprint(yy)"
"""

HOSTILE = """\
format = 1
[deck]
id = "evil"
name = "Evil"

[[cards]]
id = "fine"
front = "Q"
back = "A"

[[cards]]
id = "escape"
type = "code"
code = "torch.save(torch.ones(1), 'x.pt')"
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "import.sqlite3")


def cards(db_path: str) -> dict[str, Card]:
    from quizapp.store.engine import make_engine

    with Session(make_engine(f"sqlite:///{db_path}")) as session:
        return {c.id: c for c in session.exec(select(Card).where(Card.source.startswith("toml:")))}


@pytest.mark.torch  # its deck has code cards, settled in the kernel
def test_import_code_cards_once_and_idempotently(capsys, db, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "import", str(path), "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["added"], report["skipped"]) == (4, 1)
    assert report["warnings"][0]["line"] == 34 and "NameError" in report["warnings"][0]["message"]
    stored = cards(db)
    kinds = {cid: json.loads(c.data).get("answer_kind") for cid, c in stored.items()}
    assert kinds == {
        "mine:basic": None,
        "mine:shape": "shape",
        "mine:printed": "output",
        "mine:empty": "shape_or_dtype",
    }
    assert json.loads(stored["mine:empty"].data)["code"] == "x = torch.empty(3, 4)\nx"
    code, out, _ = run(capsys, "--db", db, "import", str(path), "--json")
    assert json.loads(out)["added"] == 0 and json.loads(out)["unchanged"] == 4


def test_all_or_nothing_across_files(capsys, db, tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text('[deck]\nid = "b"\nname = "B"\n\n[[cards]]\nid = "x"\nfront = "no back"\n', encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "import", str(good), str(bad))
    assert code == 1
    assert f"{bad}:5: card 'x' (basic) needs back" in err
    assert "nothing was imported" in err
    assert cards(db) == {}


def test_hostile_snippet_refused_unless_asked(capsys, db, tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 1 and f"{path}:11: card 'escape': snippet refused" in err
    assert cards(db) == {}
    code, out, err = run(capsys, "--db", db, "import", str(path), "--skip-invalid", "--json")
    report = json.loads(out)
    assert code == 0 and report["added"] == 1 and report["skipped"] == 1
    assert set(cards(db)) == {"evil:fine"}


@pytest.mark.torch  # its deck has code cards, settled in the kernel
def test_dry_run_writes_nothing(capsys, db, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "import", str(path), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["added"] == 4 and json.loads(out)["dry_run"]
    assert cards(db) == {}


@pytest.mark.torch  # its deck has code cards, settled in the kernel
def test_deck_option_renames_the_root(capsys, db, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    run(capsys, "--db", db, "import", str(path), "--deck", "Otro::Sub")
    code, out, _ = run(capsys, "--db", db, "cards", "--deck", "Otro::Sub", "--json")
    assert len(json.loads(out)) == 4


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.toml", None, "no such file"),
        ("notes.docx", b"PK", "unknown format '.docx'"),
        ("broken.toml", b"[deck\n", "invalid TOML"),
        ("binary.toml", bytes(range(256)) * 10, "not valid UTF-8"),
    ],
)
def test_bad_files_are_one_line_each(capsys, db, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith(str(path)) and message in first


@pytest.mark.torch  # its deck has code cards, settled in the kernel
async def test_a_code_card_is_reviewed_through_the_kernel(capsys, db, tmp_path):
    from quizapp.settings import Settings
    from quizapp.tui.app import make_app

    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    run(capsys, "--db", db, "import", str(path))
    app = make_app(Settings(database_url=f"sqlite:///{db}", user="tester", start_in_review=True, review_deck="Mine"))
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.kernel.wait_ready(60)
        screen = app.screen
        for _ in range(50):  # the basic card first, then the code cards
            await app.workers.wait_for_complete()
            await pilot.pause()
            if screen.question is not None:
                break
            await pilot.press("enter", "enter")
        question = screen.question
        assert question is not None and question.code.startswith("torch.zeros(")
        assert question.choices == (question.answer,)  # typed only
        await pilot.press(*question.answer, "enter")
        assert screen.verdict.correct


@pytest.mark.torch  # its deck has code cards, settled in the kernel
async def test_import_screen_reports_and_writes(db, tmp_path):
    from quizapp.settings import Settings
    from quizapp.tui.app import make_app

    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace('[[cards]]\nid = "typo"', '[[cards]]\nid = "typo2"'), encoding="utf-8")
    app = make_app(Settings(database_url=f"sqlite:///{db}", user="tester", start_kernel=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert type(app.screen).__name__ == "ImportScreen"
        await pilot.press(*str(path), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#import-status").render())
        assert "✓ Added 4" in status and "skipped 1" in status
        assert "NameError" in str(app.screen.query_one("#import-report").render())
    assert set(cards(db)) == {"mine:basic", "mine:shape", "mine:printed", "mine:empty"}


BROKEN_CODE = """\
format = 1
[deck]
id = "broken"
name = "Broken"

[[cards]]
id = "fine"
front = "Q"
back = "A"

[[cards]]
id = "fanout"
type = "code"
code = '''
s = 'a' * 2000
l1 = [s] * 64
l2 = [l1] * 64
l3 = [l2] * 32
l3
'''

[[cards]]
id = "not-an-int"
type = "code"
answer = "int"
code = "'abc'"

[[cards]]
id = "inf-at-51"
type = "code"
answer = "int"
code = "float({x})"
params = { x = [PARAMS] }
""".replace("PARAMS", ", ".join([str(i) for i in range(50)] + ['"inf"']))


@pytest.mark.torch  # its deck has code cards, settled in the kernel
def test_code_cards_too_large_or_not_fitting_their_answer_kind_are_skipped(capsys, db, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN_CODE, encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "import", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["added"] == 1 and report["skipped"] == 3
    messages = {w["line"]: w["message"] for w in report["warnings"]}
    assert messages[11].startswith("skipped: the value is too large to show")
    assert messages[22] == (
        "skipped: answer = 'int' does not fit its value: ValueError: invalid literal for int() with base 10: 'abc'"
    )
    assert messages[28] == (
        "skipped: answer = 'int' does not fit its value (for x='inf'): "
        "ValueError: invalid literal for int() with base 10: 'inf'"
    )
    assert set(cards(db)) == {"broken:fine"}


def test_a_code_card_with_too_many_combinations_is_refused(capsys, db, tmp_path):
    path = tmp_path / "many.toml"
    params = ", ".join(str(i) for i in range(101))
    path.write_text(
        f'format = 1\n[deck]\nid = "m"\nname = "M"\n\n[[cards]]\nid = "many"\ntype = "code"\n'
        f'code = "torch.zeros({{n}}).shape"\nparams = {{ n = [{params}] }}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 1
    assert f"{path}:6: card 'many': 101 combinations of params; at most 100 (each one is run at import)" in err
    assert cards(db) == {}


@pytest.mark.torch  # runs snippets in the kernel until the import's budget runs out
def test_the_import_has_a_kernel_time_budget(make_service, tmp_path):
    from quizapp.kernel.client import Kernel

    slow = "x = 0\nfor i in range(10 ** 9):\n    x = x + i\nx"
    deck = ['format = 1\n[deck]\nid = "slow"\nname = "Slow"\n']
    for i in range(3):
        deck.append(f'[[cards]]\nid = "slow{i}"\ntype = "code"\ncode = {json.dumps(slow)}\n')
    path = tmp_path / "slow.toml"
    path.write_text("\n".join(deck), encoding="utf-8")
    with Kernel(timeout=5.0) as kernel:
        service = make_service(kernel=kernel)
        started = time.monotonic()
        report = service.import_paths([path], kernel_budget_s=2.0)
        elapsed = time.monotonic() - started
    (problem,) = report.errors
    assert problem.file == str(path) and problem.line == 6
    assert problem.message == (
        "card 'slow0': the import ran out of kernel time (2 s for all its code cards); "
        "import fewer code cards at a time"
    )
    assert elapsed < 15  # one budget-limited run, not three 5 s timeouts
    assert report.added == 0 and service.search_cards("deck:Slow") == []
