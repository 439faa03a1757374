import pytest

from anomagram.ui.common.text import escape_markdown, shorten, user_text


@pytest.mark.parametrize(
    "hostile",
    [
        "[click here to log in](http://127.0.0.1:1/login)",
        "![t](http://127.0.0.1:1/track.png)",
        "<img src=x onerror=alert(1)>",
        ":red[alarm] :material/warning:",
        "$\\frac{1}{0}$",
        "**bold** _it_ `code` # head",
    ],
)
def test_escaped_markdown_has_no_unescaped_syntax(hostile):
    escaped = escape_markdown(hostile)
    # Every markdown-significant character is preceded by a backslash.
    for i, char in enumerate(escaped):
        if char in "[]()!<>:*_`#$":
            assert escaped[i - 1] == "\\", (escaped, i)
    # Removing the escapes gives back the text: it shows exactly what was typed.
    assert escaped.replace("\\", "") == hostile.replace("\\", "")


def test_control_characters_do_not_start_new_blocks():
    assert "\n" not in escape_markdown("a\n\n# title\r\u202eevil")
    assert escape_markdown("a\nb") == "a b"


def test_long_values_are_shortened():
    assert len(shorten("x" * 100_000)) == 80
    assert shorten("short") == "short"
    assert user_text("[" * 200).count("[") == 79
