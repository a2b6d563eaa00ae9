import pytest

from quizapp.anki.html_text import html_to_text, text_to_html


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain", "plain"),
        ("  padded  ", "padded"),
        ("a<b>bold</b> and <i>it</i>", "abold and it"),
        ("line1<br>line2<br/>line3<BR />line4", "line1\nline2\nline3\nline4"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("first<div>second</div>", "first\nsecond"),
        ("a<div>b</div><div><br></div><div>c</div>", "a\nb\n\nc"),
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("<ul><li>x</li><li>y</li></ul>after", "x\ny\nafter"),
        ("<ol><li>1st</li></ol>", "1st"),
        ("<h1>Title</h1>body", "Title\nbody"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "ab\nc"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("x&nbsp;y", "x y"),
        ("&quot;q&quot; &#39;s&#39; &#x41;&#66;", "\"q\" 's' AB"),
        ("&unknown; & alone", "&unknown; & alone"),
        ("a < b", "a < b"),
        ("x<script>alert('<b>')</script>y", "xy"),
        ("<style>.card { color: red }</style>styled", "styled"),
        ("<SCRIPT type='text/javascript'>var a = 1 < 2;</SCRIPT>ok", "ok"),
        ("<!-- a comment -->visible", "visible"),
        ('<img src="tensor.png">', "[image: tensor.png]"),
        ("see <img src='a b.jpg' alt=x> here", "see [image: a b.jpg] here"),
        ("<img src=plot.svg>", "[image: plot.svg]"),
        ("<img alt='no source'>", ""),
        ("[sound:hello.mp3]", "[sound: hello.mp3]"),
        ("say [sound:fo&amp;o.mp3] now", "say [sound: fo&o.mp3] now"),
        ("code:<br>&nbsp; &nbsp;x = 1", "code:\n   x = 1"),
        ("<pre>def f():\n    return 1</pre>", "def f():\n    return 1"),
        ("a<br><br><br><br>b", "a\n\nb"),
        ("{{c1::torch.<b>zeros</b>}}", "{{c1::torch.zeros}}"),
        ("un<b>closed", "unclosed"),
        ("", ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "a < b & c > d",
        "two\nlines",
        "def f(x):\n    return x  # two  spaces\n\n\nprint(f(1))".replace("\n\n\n", "\n\n"),
        "  leading spaces",
        "<b>not a tag</b> &amp; not an entity",
        "{{c1::torch.zeros}}((2, 3))",
        "tab\tinside",
    ],
)
def test_text_to_html_round_trips(text):
    html = text_to_html(text)
    assert "\n" not in html
    assert html_to_text(html) == text.strip()


def test_text_to_html_keeps_indentation_visible_in_anki():
    assert text_to_html("if x:\n    y") == "if x:<br>&nbsp;&nbsp;&nbsp;&nbsp;y"
    assert text_to_html("a  b") == "a &nbsp;b"
    assert text_to_html("1 < 2 & 3") == "1 &lt; 2 &amp; 3"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<a" * 2000, "<a" * 2000),  # no ">": text (html.parser took quadratic time here)
        ("<" * 5000 + "b>x", "<" * 4999 + "x"),  # "<<" is text; "<b>" a tag
        ("<!--" * 1000, "<!--" * 1000),  # no "-->" and no ">": text
        ("[sound:" * 1000, "[sound:" * 1000),
        ("[sound:a" * 3 + "]", "[sound: a[sound:a[sound:a]"),
        ("a<!-- x > y -->b", "ab"),
        ("a<!-- open <b>bold</b>", "abold"),  # an open comment is a tag up to its ">"
        ("a<b x='1>2'>c", "a2'>c"),  # a tag ends at its first ">", as Anki's <.*?>
    ],
)
def test_hostile_html_is_read_as_anki_reads_it(html, text):
    assert html_to_text(html) == text
