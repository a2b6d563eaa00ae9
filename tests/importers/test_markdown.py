"""The Markdown / Obsidian Spaced Repetition importer.

The notes here are written for these tests; the cases follow the rules the
plugin's own parser tests exercise (separators, blank lines, SR comments,
clozes, code blocks, HTML comments, tags and decks)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from quizapp.importers.base import DeckError, ParsedDeck
from quizapp.importers.markdown import DEFAULT_CODE_FRONT, MAX_FILE_BYTES, read_markdown

DATA = Path(__file__).parent / "data" / "markdown"
VAULT = DATA / "vault"
# A byte-identical copy of shared/seed/000_b7e405ba434ba0be.txt, damage included.
SEED = Path(__file__).parent / "data/seed/000_b7e405ba434ba0be.txt"


def note(tmp_path: Path, text: str, name: str = "nota.md", **kwargs) -> ParsedDeck:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return read_markdown(path, **kwargs)


def sides(deck: ParsedDeck) -> list[tuple[str, str]]:
    return [(c.front, c.back) for c in deck.cards]


# --- single-line cards --------------------------------------------------------------------------


def test_single_line_basic(tmp_path):
    deck = note(tmp_path, "# Título\n\nQ1::A1\nQ2 :: A2\nTexto suelto\n¿Qué es `x::y`?::un operador\n")
    assert sides(deck) == [("Q1", "A1"), ("Q2", "A2"), ("¿Qué es `x::y`?", "un operador")]
    assert [c.kind for c in deck.cards] == ["basic"] * 3
    assert [c.line for c in deck.cards] == [3, 4, 6]
    assert deck.source == "md:nota.md"


def test_single_line_scheduling_comments_are_stripped(tmp_path):
    deck = note(
        tmp_path,
        "Pregunta::Respuesta\n<!--SR:!2021-08-11,4,270-->\n\nOtra::Más <!--SR:!2021-08-11,4,270-->\n",
    )
    assert sides(deck) == [("Pregunta", "Respuesta"), ("Otra", "Más")]
    assert all("SR" not in c.front + c.back for c in deck.cards)


def test_single_line_reversed_makes_two_siblings(tmp_path):
    deck = note(tmp_path, "Some text before\nlado 1 :::lado 2\n")
    assert sides(deck) == [("lado 1", "lado 2"), ("lado 2", "lado 1")]
    assert deck.cards[1].id == deck.cards[0].id + "::rev"
    assert deck.cards[0].line == deck.cards[1].line == 2


def test_separator_inside_inline_code_is_not_a_card(tmp_path):
    assert note(tmp_path, "`Inlineq::InlineA`\n\nUsa `std::vector` aquí\n").cards == []


# --- multi-line cards ---------------------------------------------------------------------------


def test_multi_line_basic_takes_the_paragraph_and_stops_at_a_blank_line(tmp_path):
    text = (
        "# Título\n\n"
        "Línea 0\nPregunta 1\n?\nRespuesta 1\nRespuesta extra\n\n"
        "No es parte de la respuesta\n\n"
        "Pregunta 2\n? \nRespuesta 2\n<!--SR:!2021-08-11,4,270-->\n"
    )
    deck = note(tmp_path, text)
    assert sides(deck) == [
        ("Línea 0\nPregunta 1", "Respuesta 1\nRespuesta extra"),
        ("Pregunta 2", "Respuesta 2"),
    ]
    assert [c.line for c in deck.cards] == [3, 11]


def test_multi_line_reversed(tmp_path):
    deck = note(tmp_path, "info 1A\ninfo 1B\n??\ninfo 2A\ninfo 2B\n")
    assert sides(deck) == [("info 1A\ninfo 1B", "info 2A\ninfo 2B"), ("info 2A\ninfo 2B", "info 1A\ninfo 1B")]
    assert deck.cards[1].id.endswith("::rev")


def test_multi_line_answer_keeps_a_code_block_with_blank_lines(tmp_path):
    text = "¿Cómo se imprime en Python?\n?\n```python\nprint('hola')\n\n\nprint('adiós')\n```\n\nDespués\n"
    deck = note(tmp_path, text)
    assert sides(deck) == [("¿Cómo se imprime en Python?", "```python\nprint('hola')\n\n\nprint('adiós')\n```")]
    # A code block that belongs to a card is not a code card of its own.
    assert [c.kind for c in deck.cards] == ["basic"]


def test_a_lone_separator_is_not_a_card(tmp_path):
    assert note(tmp_path, "?\nRespuesta sin pregunta\n\nPregunta sin respuesta\n?\n\n").cards == []


def test_heading_above_a_question_becomes_its_context(tmp_path):
    deck = note(
        tmp_path,
        "# Tensores\n## Forma\n¿Qué hace `view`?\n?\nCambia la forma\n\n### ¿Qué es un escalar?\n?\nUn tensor 0-d\n",
    )
    assert sides(deck) == [("¿Qué hace `view`?", "Cambia la forma"), ("¿Qué es un escalar?", "Un tensor 0-d")]
    assert deck.cards[0].data == {"context": "Tensores > Forma"}


# --- clozes -------------------------------------------------------------------------------------


def test_each_highlight_is_its_own_cloze_card(tmp_path):
    text = "texto antes\n\nla primera ministra fue\n==Julia Gillard== en ==2010==\notra línea\n\nDespués\n"
    deck = note(tmp_path, text)
    assert [c.kind for c in deck.cards] == ["cloze", "cloze"]
    first, second = deck.cards
    assert first.front == "la primera ministra fue\n[...] en 2010\notra línea"
    assert second.front == "la primera ministra fue\nJulia Gillard en [...]\notra línea"
    assert first.back == second.back == "la primera ministra fue\nJulia Gillard en 2010\notra línea"
    assert first.id.endswith("::c1") and second.id.endswith("::c2")
    assert first.id.rsplit("::", 1)[0] == second.id.rsplit("::", 1)[0]  # siblings
    assert first.data["answers"] == ["Julia Gillard"] and first.data["cloze"] == 1
    assert first.data["text"] == "la primera ministra fue\n{{c1::Julia Gillard}} en {{c2::2010}}\notra línea"
    assert first.line == 3


def test_numbered_highlights_with_hints(tmp_path):
    deck = note(tmp_path, "Es un ==1;;cloze;;una pista==. Esto ==2;;también==. Y esto ==1;;va con el primero==.\n")
    assert [c.front for c in deck.cards] == [
        "Es un [una pista]. Esto también. Y esto [...].",
        "Es un cloze. Esto [...]. Y esto va con el primero.",
    ]
    assert deck.cards[0].data["answers"] == ["cloze", "va con el primero"]


def test_anki_clozes_are_read_and_not_taken_for_separators(tmp_path):
    deck = note(tmp_path, "`torch.empty()` {{c1::reserva memoria}} pero {{c2::no la inicializa::¿qué no hace?}}.\n")
    assert [c.front for c in deck.cards] == [
        "`torch.empty()` [...] pero no la inicializa.",
        "`torch.empty()` reserva memoria pero [¿qué no hace?].",
    ]
    assert [c.kind for c in deck.cards] == ["cloze", "cloze"]
    assert deck.cards[1].data["answers"] == ["no la inicializa"]


def test_what_is_not_a_cloze_by_default(tmp_path):
    text = (
        "Texto en **negrita** no es cloze\n\n"
        "Llaves {{así}} tampoco\n\n"
        "`a == b == c` está en código\n\n"
        "srdf ==\n\n"
        "lorem ipsum ==p\ndolor won==\n"
    )
    assert note(tmp_path, text).cards == []


def test_highlight_containing_inline_code_is_a_cloze(tmp_path):
    deck = note(tmp_path, "esto tiene ==`inline`== código\n")
    assert [(c.front, c.back) for c in deck.cards] == [("esto tiene [...] código", "esto tiene `inline` código")]


# --- what the plugin skips ----------------------------------------------------------------------


def test_cards_inside_code_blocks_and_comments_are_ignored(tmp_path):
    text = (
        "```\nCodeblockq::CodeblockA\n```\n\n"
        "~~~markdown\nsome ==highlighted text==!\n~~~\n\n"
        "<!--question::answer test-->\n\n"
        "<!--\nPregunta\n?\nRespuesta\n-->\n\n"
        "<!--cloze ==deletion== test-->\n\n"
        "a::b\n"
    )
    assert sides(note(tmp_path, text)) == [("a", "b")]


def test_text_after_a_one_line_comment_is_read(tmp_path):
    assert sides(note(tmp_path, "<!-- nota --> Q::A\n\n<!--\nx\n--> después::no\n")) == [("Q", "A")]


def test_front_matter_callouts_embeds_iframes_and_html_do_not_break_parsing(tmp_path):
    text = (
        "---\nsticker: emoji//1f6a7\ntags: [ai]\n---\n"
        '<iframe width="560" src="https://www.youtube.com/embed/abc" title="YouTube"></iframe>\n'
        "# Título\n___\n"
        ">[!abstract] Una cita\n>Con texto: no es tarjeta\n\n"
        "![[Pasted image 20231129165812.png]] ¿Qué muestra la figura?::Un <b>tensor</b><br>de 2x3\n\n"
        "> [!tip] En un callout\n> Pregunta en callout::Respuesta\n\n"
        '<div class="x">Ver [[Tensores#Forma|la nota]] y ![img](fig/forma.png)</div>::vale\n'
    )
    deck = note(tmp_path, text)
    assert sides(deck) == [
        ("[image: Pasted image 20231129165812.png] ¿Qué muestra la figura?", "Un <b>tensor</b>\nde 2x3"),
        ("Pregunta en callout", "Respuesta"),
        ("Ver la nota y [image: img]", "vale"),
    ]
    assert all(c.tags == ("ai",) for c in deck.cards)
    assert all(c.line and c.line > 4 for c in deck.cards)


def test_iframe_and_embeds_in_a_card_are_named(tmp_path):
    deck = note(tmp_path, 'Vídeo::<iframe src="https://example.org/v"></iframe> y ![[Otra nota]] y ![[foto.jpg|300]]\n')
    assert deck.cards[0].back == "[iframe: https://example.org/v] y [embed: Otra nota] y [image: foto.jpg]"


def test_crlf_and_bom_are_accepted(tmp_path):
    path = tmp_path / "win.md"
    path.write_bytes("\ufeffQ::A\r\n\r\nP\r\n?\r\nR\r\n".encode("utf-8"))
    assert sides(read_markdown(path)) == [("Q", "A"), ("P", "R")]


# --- decks and tags -----------------------------------------------------------------------------


def test_tags_decide_the_deck_until_the_next_tag(tmp_path):
    text = (
        "#flashcards/deckA\nQ1 (deckA)::A1\nQ2 (deckA)::A2\n\n"
        "#flashcards/deckB Q4 (solo deckB)::A4\n\n"
        "Q6 (deckA)::A6\n\n"
        "#flashcards/deckC/sub #flashcards/otro\nQ7::A7\n"
    )
    deck = note(tmp_path, text, deck="Base")
    assert [(c.front, c.deck) for c in deck.cards] == [
        ("Q1 (deckA)", "Base::deckA"),
        ("Q2 (deckA)", "Base::deckA"),
        ("Q4 (solo deckB)", "Base::deckB"),
        ("Q6 (deckA)", "Base::deckA"),
        ("Q7", "Base::deckC::sub"),
    ]
    assert deck.decks == {"Base::deckA": "", "Base::deckB": "", "Base::deckC::sub": ""}


def test_plain_flashcards_tag_is_the_base_deck_and_a_tag_line_can_lead_a_card(tmp_path):
    deck = note(tmp_path, "#flashcards\nQ::A\n\n#flashcards/en-la-tarjeta\nPregunta\n?\nRespuesta\n", deck="Base")
    assert [(c.front, c.deck) for c in deck.cards] == [("Q", "Base"), ("Pregunta", "Base::en-la-tarjeta")]


def test_front_matter_tags_give_the_deck_and_card_tags(tmp_path):
    text = "---\ntags:\n  - pytorch\n  - flashcards/tensores\n---\nQ::A #repaso\n\n#flashcards/otra\nP::R\n"
    deck = note(tmp_path, text, deck="Base")
    assert [(c.deck, c.tags) for c in deck.cards] == [
        ("Base::tensores", ("pytorch", "repaso")),
        ("Base::otra", ("pytorch",)),
    ]


def test_tags_in_code_are_not_decks(tmp_path):
    deck = note(tmp_path, "```\n#flashcards/falso\n```\n\n`#flashcards/tampoco`\n\nQ::A\n", deck="Base")
    assert deck.cards[0].deck == "Base"


def test_base_deck_defaults_to_the_file_name(tmp_path):
    deck = note(tmp_path, "#flashcards\nQ::A\n", name="Mis apuntes.md")
    assert deck.cards[0].deck == "Mis apuntes"
    assert deck.source == "md:Mis apuntes.md"


def test_flashcards_tags_name_the_deck_as_the_plugin_does(tmp_path):
    """#flashcards/MyMarkdown is deck MyMarkdown, not <vault or file>::MyMarkdown;
    nested tags are nested decks; --deck puts them under it."""
    text = "#flashcards/MyMarkdown\nQ::A\n\n#flashcards/a/b\nP::R\n"
    deck = note(tmp_path, text, name="linalg-notes.md")
    assert [c.deck for c in deck.cards] == ["MyMarkdown", "a::b"]
    assert deck.decks == {"MyMarkdown": "", "a::b": ""}
    vault = tmp_path / "vault"
    (vault / "sub").mkdir(parents=True)
    (vault / "sub" / "n.md").write_text(text, encoding="utf-8")
    assert [c.deck for c in read_markdown(vault / "sub" / "n.md", root=vault).cards] == ["MyMarkdown", "a::b"]
    assert [c.deck for c in note(tmp_path, text, deck="Mazo").cards] == ["Mazo::MyMarkdown", "Mazo::a::b"]


def test_untagged_note_takes_its_folders_as_deck(tmp_path):
    vault = tmp_path / "Bóveda"
    path = vault / "PyTorch" / "Autograd" / "nota.md"
    path.parent.mkdir(parents=True)
    path.write_text("Q::A\n", encoding="utf-8")
    assert read_markdown(path, root=vault).cards[0].deck == "Bóveda::PyTorch::Autograd"
    assert read_markdown(path, root=vault, deck="Mazo").cards[0].deck == "Mazo::PyTorch::Autograd"
    assert read_markdown(path, root=vault, folder_decks=False).cards[0].deck == "Bóveda"
    parsed = read_markdown(path, root=vault)
    assert parsed.source == "md:PyTorch/Autograd/nota.md"
    assert parsed.cards[0].id.startswith("md:PyTorch/Autograd/nota.md#")


def test_sample_vault(tmp_path):
    tensores = read_markdown(VAULT / "PyTorch" / "tensores.md", root=VAULT)
    assert tensores.source == "md:PyTorch/tensores.md"
    got = [(c.kind, c.deck, c.front, c.back) for c in tensores.cards]
    assert got == [
        ("basic", "pytorch", "¿Qué `dtype` tiene `torch.zeros(2)`?", "torch.float32"),
        ("basic", "pytorch", "¿Qué devuelve `x.shape`?", "el tamaño del tensor"),
        ("basic", "pytorch", "el tamaño del tensor", "¿Qué devuelve `x.shape`?"),
        ("basic", "pytorch", "¿Qué hace `unsqueeze(0)`?", "Añade una dimensión de tamaño 1\nal principio."),
        (
            "cloze",
            "pytorch",
            "`view` necesita memoria [...]; `reshape` copia si hace falta.",
            "`view` necesita memoria contigua; `reshape` copia si hace falta.",
        ),
        (
            "cloze",
            "pytorch",
            "`view` necesita memoria contigua; `reshape` [...] si hace falta.",
            "`view` necesita memoria contigua; `reshape` copia si hace falta.",
        ),
        (
            "cloze",
            "pytorch::broadcasting",
            "Dos dimensiones son compatibles si son [...] o una es 1.",
            "Dos dimensiones son compatibles si son iguales o una es 1.",
        ),
        (
            "cloze",
            "pytorch::broadcasting",
            "Dos dimensiones son compatibles si son iguales o una es [...].",
            "Dos dimensiones son compatibles si son iguales o una es 1.",
        ),
        ("code", "pytorch::broadcasting", "Suma por columnas:", ""),
    ]
    assert all(c.tags == ("pytorch",) for c in tensores.cards)
    assert tensores.cards[-1].data["code"] == "a = torch.ones(2, 3)\nprint(a.sum(dim=0))"
    assert tensores.cards[3].data == {"context": "Tensores > Forma"}
    untagged = read_markdown(VAULT / "PyTorch" / "Autograd" / "sin_etiqueta.md", root=VAULT, deck="PyTorch (ES)")
    assert [(c.deck, c.front, c.back) for c in untagged.cards] == [
        ("PyTorch (ES)::PyTorch::Autograd", "¿Qué atributo guarda el gradiente?", "`.grad`")
    ]
    at_root = read_markdown(VAULT / "notas.md", root=VAULT)
    assert [(c.deck, c.front) for c in at_root.cards] == [("vault", "¿Quién calcula los gradientes?")]


# --- code cards ---------------------------------------------------------------------------------


def test_python_blocks_that_print_become_code_cards(tmp_path):
    text = (
        "## Crear tensores\n"
        "Lo primero, importemos PyTorch:\n\n"
        "```python\nimport torch\nimport math\n```\n\n"
        "La forma más sencilla de crear un tensor:\n"
        "```python\nimport torch\nx = torch.zeros(2, 3)\nprint(x.shape)\n```\n\n"
        "```python\nx = torch.ones(2)\n```\n\n"
        "```py\nimport torch.nn as nn\ntorch.ones(2) * math.pi\n```\n"
    )
    deck = note(tmp_path, text)
    assert [(c.kind, c.front, c.back, c.line) for c in deck.cards] == [
        ("code", "La forma más sencilla de crear un tensor:", "", 10),
        ("code", "Crear tensores", "", 20),
    ]
    assert deck.cards[0].data == {
        "code": "x = torch.zeros(2, 3)\nprint(x.shape)",
        "answer_kind": "auto",
        "context": "Crear tensores",
    }
    assert deck.cards[1].data["code"] == "torch.ones(2) * math.pi"
    assert deck.warnings == []


def test_python_blocks_that_cannot_run_are_skipped_with_a_warning(tmp_path):
    text = (
        "```python\nimport numpy as np\nprint(np.ones(2))\n```\n\n"
        "```python\ndef f(x):\n    return x\nprint(f(1))\n```\n\n"
        "```python\nclass A:\n    pass\nA()\n```\n\n"
        "```python\nprint(\n```\n"
    )
    deck = note(tmp_path, text)
    assert deck.cards == []
    messages = [(w.line, w.message) for w in deck.warnings]
    assert [line for line, _ in messages] == [1, 6, 12, 18]
    assert all(m.startswith("skipped: ") for _, m in messages)
    assert "imports numpy" in messages[0][1]
    assert "def f" in messages[1][1] and "class A" in messages[2][1]
    assert "not valid Python" in messages[3][1]
    assert all(w.file == str(tmp_path / "nota.md") for w in deck.warnings)


def test_deeply_nested_python_is_a_warning_not_a_crash(tmp_path):
    deck = note(tmp_path, "```python\nprint(" + "(" * 5000 + ")" * 5000 + ")\n```\n")
    assert deck.cards == [] and deck.warnings[0].message.startswith("skipped: ")


def test_code_card_without_text_above_gets_the_default_question(tmp_path):
    deck = note(tmp_path, "~~~python\nprint(torch.arange(3))\n~~~\n")
    assert deck.cards[0].front == DEFAULT_CODE_FRONT


# --- ids ----------------------------------------------------------------------------------------


NOTE = (
    "#flashcards\n"
    "¿Qué `dtype` tiene `torch.zeros(2)`?::torch.float32\n\n"
    "¿Qué devuelve x.shape?:::el tamaño\n\n"
    "¿Qué hace unsqueeze?\n?\nAñade una dimensión\n\n"
    "`view` necesita memoria ==contigua== y ==nada más==\n"
)


def ids(deck: ParsedDeck) -> list[str]:
    return [c.id for c in deck.cards]


def test_reimport_gives_the_same_ids_and_ids_are_unique(tmp_path):
    first, again = note(tmp_path, NOTE), note(tmp_path, NOTE)
    assert ids(first) == ids(again)
    assert len(set(ids(first))) == len(first.cards) == 6
    assert all(i.startswith("md:nota.md#") for i in ids(first))


def test_editing_an_answer_keeps_every_id(tmp_path):
    before = ids(note(tmp_path, NOTE))
    edited = (
        NOTE.replace("torch.float32", "float32 (por defecto)")
        .replace("el tamaño", "la forma")
        .replace("Añade una dimensión", "Añade un eje de tamaño 1")
        .replace("==contigua==", "==contigua (stride)==")
    )
    after = note(tmp_path, edited)
    assert ids(after) == before
    assert after.cards[0].back == "float32 (por defecto)"


def test_editing_question_case_whitespace_punctuation_and_accents_keeps_the_id(tmp_path):
    before = ids(note(tmp_path, NOTE))
    edited = NOTE.replace("¿Qué `dtype` tiene `torch.zeros(2)`?", "que  DTYPE tiene torch.zeros(2)").replace(
        "¿Qué hace unsqueeze?", "¿Qué   hace\nunsqueeze ?"
    )
    assert ids(note(tmp_path, edited)) == before


def test_rewording_a_question_changes_only_its_id(tmp_path):
    before = ids(note(tmp_path, NOTE))
    after = ids(note(tmp_path, NOTE.replace("¿Qué hace unsqueeze?", "¿Para qué sirve unsqueeze?")))
    changed = [a for a, b in zip(after, before) if a != b]
    assert len(changed) == 1 and len(after) == len(before)


def test_moving_cards_and_changing_their_form_keeps_ids(tmp_path):
    before = {c.front: c.id for c in note(tmp_path, NOTE).cards}
    moved = (
        "#flashcards/otro\n"
        "¿Qué hace unsqueeze?::Añade una dimensión\n\n"
        "¿Qué `dtype` tiene `torch.zeros(2)`?\n?\ntorch.float32\n"
    )
    after = {c.front: c.id for c in note(tmp_path, moved).cards}
    for front, card_id in after.items():
        assert before[front] == card_id


def test_duplicate_questions_are_told_apart_by_position(tmp_path):
    deck = note(tmp_path, "Q::uno\nQ::dos\nq ::tres\n")
    assert ids(deck)[1] == ids(deck)[0] + "~2" and ids(deck)[2] == ids(deck)[0] + "~3"


def test_block_id_gives_an_id_that_survives_rewording(tmp_path):
    first = note(tmp_path, "¿Qué es un tensor? ^tensor-def\n?\nUn arreglo\n\nA ==b== ^c-1\n")
    second = note(tmp_path, "¿Cómo definirías un tensor? ^tensor-def\n?\nUn arreglo\n\nOtra ==b== ^c-1\n")
    assert ids(first) == ids(second) == ["md:nota.md#^tensor-def", "md:nota.md#^c-1::c1"]
    assert first.cards[0].front == "¿Qué es un tensor?"


def test_the_same_question_in_two_notes_has_two_ids(tmp_path):
    a = note(tmp_path, "Q::A\n", name="a.md")
    b = note(tmp_path, "Q::A\n", name="b.md")
    assert ids(a) != ids(b)


# --- malformed input ----------------------------------------------------------------------------


def test_binary_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "imagen.md"
    path.write_bytes(b"Q::A\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DeckError) as info:
        read_markdown(path)
    problem = info.value.problems[0]
    assert problem.file == str(path) and problem.line == 4 and "binary" in problem.message


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("Q::A\n\nacción::acción\n".encode("latin-1"))
    with pytest.raises(DeckError) as info:
        read_markdown(path)
    assert info.value.problems[0].line == 3
    assert str(info.value).startswith(f"{path}:3: not valid UTF-8")


def test_huge_file_is_refused_quickly(tmp_path):
    path = tmp_path / "enorme.md"
    path.write_bytes(b"x" * (10 * 1024 * 1024))  # one line of 10 MB
    start = time.monotonic()
    with pytest.raises(DeckError, match="over 5 MB"):
        read_markdown(path)
    assert time.monotonic() - start < 2


def test_very_long_line_is_ignored_with_a_warning(tmp_path):
    text = "Q::A\n" + "=" * (MAX_FILE_BYTES // 2) + "\nP::R\n"
    start = time.monotonic()
    deck = note(tmp_path, text)
    assert time.monotonic() - start < 10
    assert sides(deck) == [("Q", "A"), ("P", "R")]
    assert [w.line for w in deck.warnings] == [2]


def test_pathological_notes_finish(tmp_path):
    for text in ("<!--\n" * 100_000, "```x\n" * 100_000, "a\n" * 200_000 + "?\nb\n", "a ==b== c\n" * 50_000):
        start = time.monotonic()
        deck = note(tmp_path, text)
        assert time.monotonic() - start < 10
        assert len(deck.cards) <= 1


def test_missing_file(tmp_path):
    with pytest.raises(DeckError, match="cannot read file"):
        read_markdown(tmp_path / "no-existe.md")


def test_mojibake_note_is_repaired_before_parsing(tmp_path):
    text = "#flashcards\n¿Qué es un número?::Un escalar ❌\n".encode().decode("mac_roman")
    deck = note(tmp_path, text, deck="Base")
    assert sides(deck) == [("¿Qué es un número?", "Un escalar ❌")]
    assert deck.cards[0].deck == "Base"


# --- the seed note ------------------------------------------------------------------------------


def test_seed_note_imports_as_readable_spanish():
    deck = read_markdown(SEED)
    assert deck.source == "md:000_b7e405ba434ba0be.txt"
    assert deck.warnings == []
    text = " ".join(c.front + c.back + str(c.data) for c in deck.cards)
    assert "√" not in text and "¬" not in text and "<!--" not in text
    # No #flashcards tag: the deck is the file's name (or the deck argument).
    assert {c.deck for c in deck.cards} == {"000_b7e405ba434ba0be"}
    assert {c.deck for c in read_markdown(SEED, deck="PyTorch (ES)").cards} == {"PyTorch (ES)"}
    assert all(c.tags == ("ai", "pytorch") for c in deck.cards)


def test_seed_note_python_blocks_that_print_are_code_cards():
    cards = read_markdown(SEED).cards
    assert [c.kind for c in cards] == ["code"] * 5
    codes = [c.data["code"] for c in cards]
    assert all("print(" in code and not re.search(r"^\s*(import|from) ", code, re.M) for code in codes)
    assert codes[0].startswith("torch.manual_seed(1729)\nrandom1 = torch.rand(2,3)")
    assert [c.front for c in cards] == [
        "Tensores Aleatorios y Semillas",
        cards[1].front,
        "La última forma de crear un tensor es especificar sus datos directamente desde una colección de PyTorch:",
        "Establecer el tipo de datos de un tensor es posible de dos maneras:",
        "Las operaciones similares entre dos tensores también se comportan intuitivamente:",
    ]
    assert cards[1].front.startswith("A menudo, para poder realizar operaciones en dos o más tensores")
    assert all(c.data["answer_kind"] == "auto" and c.back == "" for c in cards)
    assert len({c.id for c in cards}) == 5


def test_seed_note_ids_survive_edits(tmp_path):
    path = tmp_path / "seed.md"
    shutil.copy(SEED, path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n¿Qué es un tensor?::Un arreglo de n dimensiones\n<!--SR:!2024-03-01,3,250-->\n")
    before = read_markdown(path)
    assert before.cards[-1].front == "¿Qué es un tensor?" and before.cards[-1].back == "Un arreglo de n dimensiones"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Un arreglo de n dimensiones", "Una matriz generalizada").replace(
        "Tensores Aleatorios y Semillas", "Tensores aleatorios y semillas"
    )
    path.write_text(edited, encoding="utf-8")
    after = read_markdown(path)
    assert ids(after) == ids(before)
    assert after.cards[-1].back == "Una matriz generalizada"
