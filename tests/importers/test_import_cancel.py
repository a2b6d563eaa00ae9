"""A long import can be cancelled (Service.import_paths(cancelled=...)): it
stops between files and while saving, and writes nothing."""

from __future__ import annotations

import pytest

from quizapp.service import ImportCancelled


def _deck(path, name: str, cards: int) -> None:
    rows = "".join(f"q{name}{i}\ta{i}\n" for i in range(cards))
    path.write_text(f"#separator:tab\n#deck:{name}\n{rows}", encoding="utf-8")


def _card_count(service) -> int:
    return sum(d.total for d in service.deck_counts())


@pytest.mark.parametrize("after", [0, 1, 2, 3, 5])
def test_cancel_at_any_point_writes_nothing(make_service, tmp_path, after):
    """``after`` is how many times cancelled() says False first: between the
    files, before the save, then inside the save's transaction."""
    service = make_service()
    before = _card_count(service)
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    _deck(paths[0], "A", 600)
    _deck(paths[1], "B", 600)
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > after

    with pytest.raises(ImportCancelled, match="Import cancelled; nothing was written"):
        service.import_paths(paths, cancelled=cancelled)
    assert len(asked) == after + 1
    assert _card_count(service) == before
    report = service.import_paths(paths, cancelled=lambda: False)
    assert report.added == 1200 and not report.errors
    assert _card_count(service) == before + 1200
