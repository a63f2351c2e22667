# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Go's regexp.Compile verdict through C++ RE2 (plugin_utils/_go_regexp.py).

The expected verdicts are Go 1.26's (regexp/syntax with the Perl flags), which Python's re does not share.
"""

from __future__ import annotations

import re
import sys

import pytest

from ansible_collections.lacatfly.twilight_drive.plugins.plugin_utils._go_regexp import RE2MissingError, check_regexp

GOOD_PATHS = [
    pytest.param(r"^/api/", id="anchored-prefix"),
    pytest.param(r"\.(jpg|png)$", id="suffix"),
    pytest.param(r"[^/]+/v[0-9]+", id="classes"),
    pytest.param(r"\pN", id="unicode-class-letter"),
    pytest.param(r"\p{Greek}", id="unicode-script"),
    pytest.param(r"\PL", id="negated-unicode-class"),
    pytest.param(r"\p{^Greek}", id="caret-negated-script"),
    pytest.param(r"\p{Letter}", id="long-category-name-go-1.25"),
    pytest.param(r"\p{greek}", id="case-insensitive-name-go-1.25"),
    pytest.param(r"[[:alpha:]]", id="posix-class"),
    pytest.param(r"[[:^space:]]", id="negated-posix-class"),
    pytest.param(r"(?i)abc", id="case-insensitive-flag"),
    pytest.param(r"(?i:abc)d", id="flag-group"),
    pytest.param(r"(?s).(?U)a*", id="more-flags"),
    pytest.param(r"\Qa.b*c\E", id="quoted-literal"),
    pytest.param(r"(?P<ver>v\d+)", id="python-named-group"),
    pytest.param(r"(?<ver>v\d+)", id="perl-named-group-go-1.22"),
    pytest.param(r"x{1000}", id="repeat-1000"),
    pytest.param(r"(x{10}){100}", id="nested-repeat-1000"),
    pytest.param(r"((x{30}){0}){40}", id="zero-repeat-hides-inner-go-only"),
    pytest.param(r"a*(?i)*", id="flag-group-ends-repetition-go-only"),
    pytest.param(r"x{,3}", id="brace-literal"),
    pytest.param(r"x{01}", id="leading-zero-brace-literal"),
    pytest.param(r"\z", id="end-of-text"),
    pytest.param(r"\x{10FFFF}\101\x41", id="escapes"),
    pytest.param("(" * 999 + "a" + ")" * 999, id="999-nested-groups"),
    pytest.param(r"\pL{1000}", id="big-unicode-repeat"),
]


@pytest.mark.parametrize("path", GOOD_PATHS)
def test_good_paths(path):
    check_regexp(path)


BAD_PATHS = [
    pytest.param(r"(?=x)", "invalid or unsupported Perl syntax", id="lookahead"),
    pytest.param(r"(?!x)", "invalid or unsupported Perl syntax", id="negative-lookahead"),
    pytest.param(r"(?<=x)y", "invalid named capture", id="lookbehind"),
    pytest.param(r"(a)\1", "invalid escape sequence", id="backreference"),
    pytest.param(r"(?P<n>a)(?P=n)", "invalid or unsupported Perl syntax", id="named-backreference"),
    pytest.param(r"x{1001}", "invalid repeat count", id="repeat-1001"),
    pytest.param(r"x{0,1001}", "invalid repeat count", id="repeat-max-1001"),
    pytest.param(r"x{2,1}", "invalid repeat count", id="repeat-min-over-max"),
    pytest.param(r"(x{100}){11}", "invalid repetition size", id="nested-repeat-1100"),
    pytest.param(r"((x{30}){0,1}){40}", "invalid repetition size", id="nested-repeat-through-optional"),
    pytest.param(r"a**", "bad repetition operator", id="stacked-repetition"),
    pytest.param(r"a{2}{3}", "bad repetition operator", id="stacked-counted-repetition"),
    pytest.param(r"*a", "no argument for repetition operator", id="missing-operand"),
    pytest.param(r"\C", "invalid escape sequence: `\\C`", id="any-byte-go-only"),
    pytest.param(r"\Z", "invalid escape sequence", id="python-end-anchor"),
    pytest.param(r"\e", "invalid escape sequence", id="escape-e"),
    pytest.param(r"\8", "invalid escape sequence", id="escape-8"),
    pytest.param(r"[\b]", "invalid escape sequence", id="backspace-in-class"),
    pytest.param("(?P<n\u00e4me>x)", "invalid named capture", id="non-ascii-group-name-go-only"),
    pytest.param(r"(?P<>x)", "invalid named capture", id="empty-group-name"),
    pytest.param(r"\p{Old_Italic}", "invalid character class range", id="multi-word-script-go-1.26"),
    pytest.param(r"\p{Klingon}", "invalid character class range", id="unknown-script"),
    pytest.param(r"\p{Garay}", "invalid character class range", id="unicode-16-script"),
    pytest.param(r"[[:foo:]]", "invalid character class range", id="unknown-posix-class"),
    pytest.param(r"[z-a]", "invalid character class range", id="reversed-range"),
    pytest.param(r"(?x)a b", "invalid or unsupported Perl syntax", id="extended-flag"),
    pytest.param(r"(?#comment)", "invalid or unsupported Perl syntax", id="comment-group"),
    pytest.param(r"(?>a)", "invalid or unsupported Perl syntax", id="atomic-group"),
    pytest.param(r"(a", "missing )", id="unclosed-group"),
    pytest.param(r"a)", "unexpected )", id="unopened-group"),
    pytest.param(r"[a", "missing closing ]", id="unclosed-class"),
    pytest.param("a\\", "trailing backslash", id="trailing-backslash"),
    pytest.param("(" * 1000 + "a" + ")" * 1000, "expression nests too deeply", id="1000-nested-groups"),
]


@pytest.mark.parametrize(("path", "problem"), BAD_PATHS)
def test_bad_paths(path, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        check_regexp(path)


@pytest.mark.parametrize(
    ("path", "go_accepts"),
    [
        pytest.param(r"(?=x)", False, id="lookahead"),
        pytest.param(r"(a)\1", False, id="backreference"),
        pytest.param(r"\Z", False, id="python-Z"),
        pytest.param(r"\pN", True, id="unicode-class"),
        pytest.param(r"\p{Greek}", True, id="unicode-script"),
        pytest.param(r"\Qa.b\E", True, id="quote"),
        pytest.param(r"(?U)a*", True, id="ungreedy-flag"),
        pytest.param(r"\z", True, id="end-of-text"),
        pytest.param(r"(?P<n>a)|(?P<n>b)", True, id="duplicate-group-names"),
        pytest.param(r"x{1001}", False, id="repeat-over-1000"),
    ],
)
def test_go_syntax_is_not_pythons(path, go_accepts):
    """The cases where Python's re would give the wrong answer, which is why RE2 is used."""
    assert _python_re_accepts(path) != go_accepts
    if go_accepts:
        check_regexp(path)
    else:
        with pytest.raises(ValueError):
            check_regexp(path)


def _python_re_accepts(path: str) -> bool:
    try:
        re.compile(path)
    except re.error:
        return False
    return True


def test_without_google_re2_the_error_names_the_package_and_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "re2", None)  # `import re2` now raises ImportError
    with pytest.raises(RE2MissingError) as info:
        check_regexp("^/api/")
    message = str(info.value)
    assert "google-re2" in message
    assert "pip install google-re2" in message
    assert not isinstance(info.value, ValueError), "a missing package is not a verdict on the pattern"
    assert isinstance(info.value.__cause__, ImportError)


def test_go_only_rejections_need_no_google_re2(monkeypatch):
    """Errors Go's parser reports before RE2 is asked stay verdicts on the pattern."""
    monkeypatch.setitem(sys.modules, "re2", None)
    with pytest.raises(ValueError, match=re.escape("invalid escape sequence: `\\C`")):
        check_regexp(r"\C")
