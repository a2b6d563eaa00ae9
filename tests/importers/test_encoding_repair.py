from pathlib import Path

import pytest

from quizapp.importers.encoding_repair import damage_count, looks_damaged, repair_mojibake

# A byte-identical copy of shared/seed/000_b7e405ba434ba0be.txt, damage included.
SEED = Path(__file__).parent / "data/seed/000_b7e405ba434ba0be.txt"


def damage(text: str) -> str:
    """What the bug did: UTF-8 bytes read as Mac Roman, saved again as UTF-8."""
    return text.encode("utf-8").decode("mac_roman")


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("n√∫meros", "números"),
        ("¬øQu√© es?", "¿Qué es?"),
        ("Deep Learning \uf8ffü§ñ?", "Deep Learning 🤖?"),
        ("no es bueno ‚ùå", "no es bueno ❌"),
        ("tama√±o, dimensi√≥n, ¬°ol√©!", "tamaño, dimensión, ¡olé!"),
    ],
)
def test_known_damage_is_repaired(damaged, repaired):
    assert repair_mojibake(damaged) == repaired


def test_round_trip_of_every_kind_of_character():
    text = "¿Qué año? «cita» — “comillas” … ñandú, pingüino, €5, α→β, 日本, 🤖❌✅"
    assert repair_mojibake(damage(text)) == text


def test_correct_text_is_left_alone():
    text = "«Éxito» —Él dijo: ¿Qué tal? Niño, pingüino, ¡olé! √2 ≈ 1.41; 10 ¬ 0; “ok” ‘sí’ …"
    assert repair_mojibake(text) == text
    assert not looks_damaged(text)


def test_ascii_is_never_touched():
    text = "plain ASCII: print(x) # 100% ok\n"
    assert repair_mojibake(text) is text


def test_mixed_text_repairs_only_the_damaged_paragraph():
    good = "El tamaño de un tensor: «forma». —¿Qué devuelve? Un número."
    bad = damage("La dimensión 1 se añade con unsqueeze: ¿cuántas hay? ❌")
    text = f"{bad}\n\n{good}\n"
    repaired = repair_mojibake(text)
    assert repaired == "La dimensión 1 se añade con unsqueeze: ¿cuántas hay? ❌\n\n" + good + "\n"


def test_damage_markers_are_counted():
    assert damage_count("n√∫meros y ¬ø") == 2
    assert damage_count("números") == 0
    assert looks_damaged(damage("acción"))


def test_text_damaged_twice_is_repaired():
    text = "¿Qué número? ❌ 🤖"
    assert repair_mojibake(damage(damage(text))) == text


def test_lone_lead_characters_are_kept():
    # "√" followed by something that does not complete a UTF-8 sequence.
    assert repair_mojibake("n√∫meros y √x") == "números y √x"


def test_seed_note_is_readable_spanish():
    text = SEED.read_text(encoding="utf-8")
    assert looks_damaged(text)
    repaired = repair_mojibake(text)
    assert "√" not in repaired and "¬" not in repaired
    assert "números" in repaired and "¿Para qué no es bueno usar Deep Learning ❌?" in repaired
    assert "Deep Learning 🤖?" in repaired
    assert repair_mojibake(repaired) == repaired
