"""Media names from outside, made safe (quizapp.anki.media)."""

import json

import pytest

from quizapp.anki.budget import Budget
from quizapp.anki.errors import Damaged
from quizapp.anki.media import media_map_names, neutralise_media, safe_media_name


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("a b.png", "a b.png"),
        ("../../etc/passwd", "passwd"),
        ("..%2F..%2Fx.png", "x.png"),
        ("C:\\Windows\\x.mp3", "x.mp3"),
        ("..", "unnamed"),
        ("a\x00b.png", "ab.png"),
    ],
)
def test_safe_media_name(name, safe):
    assert safe_media_name(name) == safe


def test_neutralise_media_in_fields_reports_each_unsafe_name():
    heard = []
    html = '<img src="../x.png"> [sound:../../s.mp3] <img src="https://e.org/a.png"> <img src="ok.png">'
    out = neutralise_media(html, lambda raw, safe: heard.append((raw, safe)))
    assert out == '<img src="x.png"> [sound:s.mp3] <img src="https://e.org/a.png"> <img src="ok.png">'
    assert heard == [("../x.png", "x.png"), ("../../s.mp3", "s.mp3")]


def test_media_map_names_legacy_json_and_damage():
    raw = json.dumps({"0": "a.png", "1": "../b.png"}).encode()
    assert media_map_names(raw, Budget(), zstd=False) == ["a.png", "../b.png"]
    assert media_map_names(b"", Budget(), zstd=False) == []
    with pytest.raises(ValueError):
        media_map_names(b"[1]", Budget(), zstd=False)
    with pytest.raises(Damaged):
        media_map_names(b"not zstd", Budget(), zstd=True)
