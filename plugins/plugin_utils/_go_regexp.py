# Copyright (c) 2026, lacatfly
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Go's ``regexp.Compile`` verdict (``regexp/syntax`` with the Perl flags, Go 1.26) through C++ RE2.

C++ RE2 (the google-re2 package) parses the pattern after a Go-faithful pre-pass
(``_GoRegexpScanner``) has applied Go's rules where the two engines disagree.
Private to this collection; raises ``ValueError`` for a pattern Go rejects, and ``RE2MissingError``
(not a ``ValueError``: it says nothing about the pattern) when google-re2 cannot be imported.
Imports nothing from Ansible.
"""

from __future__ import annotations

from typing import Any

_HEX = frozenset("0123456789abcdefABCDEF")

RE2_INSTALL_HINT = (
    "install it into the Python environment that runs Ansible on the controller: pip install google-re2 "
    "(installing this collection with pip brings it too)"
)


class RE2MissingError(RuntimeError):
    """The google-re2 package cannot be imported, so no pattern can be checked."""

    def __init__(self, cause: ImportError) -> None:
        super().__init__(
            "the google-re2 Python package (C++ RE2, the regular expression engine cloudflared's path "
            f"matching uses) is needed to check path regular expressions and cannot be imported ({cause}); "
            + RE2_INSTALL_HINT
        )


def check_regexp(pattern: str) -> None:
    """Check ``pattern`` as Go's ``regexp.Compile`` (RE2 syntax with Perl flags) would; raise ``ValueError``.

    C++ RE2 (google-re2) does the parsing, after ``_GoRegexpScanner`` has applied Go's rules where the two
    differ. RE2 failing only for lack of memory ("pattern too large") counts as valid: Go counts a
    character class as one instruction and allows about 3.3 million of them, far more than RE2's default
    budget. The reverse case, Go's own "expression too large" for programs over that size, is not
    detected (no realistic path regex gets near it). Raises ``RE2MissingError`` without google-re2.
    """
    if not isinstance(pattern, str):
        raise ValueError(f"error parsing regexp: expected a string, got {type(pattern).__name__}")
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("error parsing regexp: invalid UTF-8") from exc
    _re2_check(_GoRegexpScanner(pattern).scan())


def _re2_module() -> Any:
    """google-re2's ``re2`` module, imported when the first pattern is checked."""
    try:
        import re2  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise RE2MissingError(exc) from exc
    return re2


def _re2_check(pattern: str) -> None:
    """Parse a (rewritten) pattern with C++ RE2; raise ``ValueError`` with its message if it is invalid."""
    re2 = _re2_module()
    options = re2.Options()
    options.log_errors = False  # RE2 otherwise logs every rejected pattern to stderr
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        message = exc.args[0] if exc.args else ""
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        if str(message).startswith("pattern too large"):
            return
        raise ValueError(f"error parsing regexp: {message}") from exc


# Go 1.26's unicode package (Unicode 15.0.0): the names \p{...} may resolve to.
def _words(text: str) -> list[str]:
    return text.split()


_GO_UNICODE_CATEGORIES = _words(
    "C Cc Cf Cn Co Cs L LC Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs"
)
_GO_UNICODE_SCRIPTS = _words("""
Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki
Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee
Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan
Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi
Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited
Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian
Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari
Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic
Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage
Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan
Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri
Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh
Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square
""")
_GO_UNICODE_CATEGORY_ALIASES = _words("""
Cased_Letter Close_Punctuation Combining_Mark Connector_Punctuation Control Currency_Symbol Dash_Punctuation
Decimal_Number Enclosing_Mark Final_Punctuation Format Initial_Punctuation Letter Letter_Number Line_Separator
Lowercase_Letter Mark Math_Symbol Modifier_Letter Modifier_Symbol Nonspacing_Mark Number Open_Punctuation Other
Other_Letter Other_Number Other_Punctuation Other_Symbol Paragraph_Separator Private_Use Punctuation Separator
Space_Separator Spacing_Mark Surrogate Symbol Titlecase_Letter Unassigned Uppercase_Letter cntrl digit punct
""")


def _go_canonical_unicode_name(name: str) -> str:
    """regexp/syntax ``canonicalName`` (Go 1.25+): drop ``_ - space``, first letter upper, the rest lower."""
    out = []
    first = True
    for ch in name:
        if ch in "_- ":
            continue
        if first:
            if "a" <= ch <= "z":
                ch = ch.upper()
            first = False
        elif "A" <= ch <= "Z":
            ch = ch.lower()
        out.append(ch)
    return "".join(out)


# regexp/syntax ``unicodeTable``: special names, then unicode.Categories and unicode.Scripts looked up by the
# canonical name (so multi-word scripts such as Old_Italic are not found, as in Go 1.26), then the category
# aliases looked up by their canonical names.
_GO_UNICODE_NAMES = frozenset(
    ["Any", "Assigned", "Ascii", "Lc"]
    + _GO_UNICODE_CATEGORIES
    + _GO_UNICODE_SCRIPTS
    + [_go_canonical_unicode_name(alias) for alias in _GO_UNICODE_CATEGORY_ALIASES]
)

_GO_POSIX_CLASSES = frozenset(
    f"[:{neg}{name}:]"
    for neg in ("", "^")
    for name in _words("alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit")
)
_GO_MAX_HEIGHT = 1000


class GoRegexpError(ValueError):
    """A pattern Go's regexp/syntax rejects; the message follows Go's ``*syntax.Error``."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


def _go_isalnum(ch: str) -> bool:
    return "0" <= ch <= "9" or "a" <= ch <= "z" or "A" <= ch <= "Z"


def _go_unhex(ch: str | None) -> int:
    if ch is not None and ch in _HEX:
        return int(ch, 16)
    return -1


class _Item:
    """Something a repetition operator can apply to, in the scanner's view of Go's parse stack."""

    __slots__ = ("height", "out_end", "out_start", "repeated", "structured")

    def __init__(self, height: int, out_start: int, out_end: int, structured: bool):
        self.height = height  # lower bound of the height of Go's parse tree for it
        self.out_start = out_start  # span of its text in the scanner's output pieces
        self.out_end = out_end
        self.structured = structured  # a group (may contain repetitions)
        self.repeated = False  # its outermost node is a repetition


class _Level:
    __slots__ = ("capture", "last", "max_height", "out_start")

    def __init__(self, capture: bool, out_start: int):
        self.capture = capture
        self.out_start = out_start
        self.max_height = 0
        self.last: _Item | None = None


class _GoRegexpScanner:
    """Walks a pattern the way Go's ``regexp/syntax.Parse`` (Perl flags) does.

    It raises ``GoRegexpError`` for the errors Go reports and C++ RE2 does not, and writes the pattern
    to hand to C++ RE2 for everything else (balance of parentheses, repetition operands and sizes, the
    character ranges, the rest of the Perl syntax), rewritten where the two engines diverge:

    * ``\\C`` (any byte): RE2 accepts it, Go rejects it.
    * Capture names: Go accepts only ``[A-Za-z0-9_]+``; RE2 also accepts Unicode word characters.
    * ``\\p{...}`` and ``\\pX`` names are resolved as Go 1.26 does (case-, space-, ``_``- and ``-``-insensitive,
      long category names like ``Letter``, ``Any``, ``ASCII``, ``Assigned``, ``LC``, ``Cn``; but only
      one-word script names, so ``\\p{Old_Italic}`` is an error in Go 1.26) against Go's Unicode 15.0.0
      tables, then replaced by ``\\d`` for RE2 (RE2 knows other names and Unicode versions, and compiles
      big classes into big programs where Go counts a class as one instruction).
    * A repetition with a maximum of 0 (``x{0}``, ``x{0,0}``): Go's nested-repetition limit stops looking
      inside it, RE2 looks through it, so ``((x{30}){0}){40}`` is valid in Go only. Its operand is checked
      on its own and replaced by ``(?:)`` for RE2.
    * An empty ``\\Q\\E`` or a flag group such as ``(?i)`` between two repetition operators ends the
      first one for Go (``a*(?i)*`` is valid); the first operand is wrapped in ``(?:...)`` for RE2.
    * Go rejects parse trees higher than 1000 ("expression nests too deeply"); RE2 has no such limit.
      A lower bound of Go's height is tracked (capture groups and repetitions), which is exact for
      plain nesting such as 1000 nested capture groups.
    """

    def __init__(self, pattern: str):
        self.s = pattern
        self.n = len(pattern)
        self.out: list[str] = []
        self.levels = [_Level(capture=False, out_start=0)]
        self.last_repeat = False  # Go's lastRepeat != ""

    # -- helpers ---------------------------------------------------------------------------------
    def _add_item(self, height: int, out_start: int, structured: bool) -> None:
        lvl = self.levels[-1]
        item = _Item(height, out_start, len(self.out), structured)
        lvl.last = item
        lvl.max_height = max(lvl.max_height, height)
        self._check_height(height)

    def _check_height(self, height: int) -> None:
        total = height + sum(1 for lvl in self.levels if lvl.capture)
        if total > _GO_MAX_HEIGHT:
            raise GoRegexpError("expression nests too deeply", self.s)

    def _atom(self, text: str) -> None:
        out_start = len(self.out)
        self.out.append(text)
        self._add_item(1, out_start, structured=False)

    def _scan_escape(self, j: int) -> int:
        """regexp/syntax ``parseEscape``: return the index after the escape at ``j`` or raise."""
        s, n = self.s, self.n
        t = j + 1
        if t >= n:
            raise GoRegexpError("trailing backslash at end of expression", "")
        c = s[t]
        t += 1
        if ord(c) < 0x80 and not _go_isalnum(c):
            return t
        if c in "1234567" and (t >= n or not "0" <= s[t] <= "7"):
            raise GoRegexpError("invalid escape sequence", s[j:t])
        if c in "01234567":
            # up to two more octal digits
            last = min(t + 2, n)
            while t < last and "0" <= s[t] <= "7":
                t += 1
            return t
        if c == "x":
            if t >= n:
                raise GoRegexpError("invalid escape sequence", s[j:t])
            c = s[t]
            t += 1
            if c == "{":
                nhex = 0
                value = 0
                while True:
                    if t >= n:
                        raise GoRegexpError("invalid escape sequence", s[j:t])
                    c = s[t]
                    t += 1
                    if c == "}":
                        break
                    digit = _go_unhex(c)
                    if digit < 0:
                        raise GoRegexpError("invalid escape sequence", s[j:t])
                    value = value * 16 + digit
                    if value > 0x10FFFF:
                        raise GoRegexpError("invalid escape sequence", s[j:t])
                    nhex += 1
                if nhex == 0:
                    raise GoRegexpError("invalid escape sequence", s[j:t])
                return t
            x = _go_unhex(c)
            c2 = s[t] if t < n else None
            if c2 is not None:
                t += 1
            if x < 0 or _go_unhex(c2) < 0:
                raise GoRegexpError("invalid escape sequence", s[j:t])
            return t
        if c in "afnrtv":
            return t
        raise GoRegexpError("invalid escape sequence", s[j:t])

    def _scan_unicode_class(self, j: int) -> int:
        """regexp/syntax ``parseUnicodeClass`` for ``\\p``/``\\P`` at ``j``; returns the index after it."""
        s, n = self.s, self.n
        t = j + 2
        if t < n and s[t] == "{":
            end = s.find("}", j)
            if end < 0:
                raise GoRegexpError("invalid character class range", s[j:])
            seq, name, after = s[j : end + 1], s[t + 1 : end], end + 1
        else:
            after = min(t + 1, n)
            seq, name = s[j:after], s[t:after]
        if name.startswith("^"):
            name = name[1:]
        if _go_canonical_unicode_name(name) not in _GO_UNICODE_NAMES:
            raise GoRegexpError("invalid character class range", seq)
        return after

    def _scan_class(self, i: int) -> int:
        """regexp/syntax ``parseClass`` for the class opening at ``i``; appends RE2's version to out."""
        s, n = self.s, self.n
        parts = ["["]
        t = i + 1
        if t < n and s[t] == "^":
            parts.append("^")
            t += 1
        first = True
        while t >= n or s[t] != "]" or first:
            if t >= n:
                raise GoRegexpError("missing closing ]", s[i:])
            first = False
            if s.startswith("[:", t) and n - t > 2:
                end = s.find(":]", t + 2)
                if end >= 0:
                    name = s[t : end + 2]
                    if name not in _GO_POSIX_CLASSES:
                        raise GoRegexpError("invalid character class range", name)
                    parts.append(name)
                    t = end + 2
                    continue
            if s[t] == "\\" and t + 1 < n and s[t + 1] in "pP":
                t = self._scan_unicode_class(t)
                parts.append("\\d")
                continue
            if s[t] == "\\" and t + 1 < n and s[t + 1] in "dDsSwW":
                parts.append(s[t : t + 2])
                t += 2
                continue
            start = t
            t = self._scan_class_char(t, i)
            if t + 1 < n and s[t] == "-" and s[t + 1] != "]":
                t = self._scan_class_char(t + 1, i)
            parts.append(s[start:t])
        parts.append("]")
        self.out.append("".join(parts))
        return t + 1

    def _scan_class_char(self, t: int, class_start: int) -> int:
        if t >= self.n:
            raise GoRegexpError("missing closing ]", self.s[class_start:])
        if self.s[t] == "\\":
            return self._scan_escape(t)
        return t + 1

    def _scan_perl_flags(self, i: int) -> tuple[int, str]:
        """regexp/syntax ``parsePerlFlags`` for ``(?`` at ``i``: (end, "capture" | "group" | "flags")."""
        t = self.s[i:]
        starts_with_p = len(t) > 4 and t[2] == "P" and t[3] == "<"
        starts_with_name = len(t) > 3 and t[2] == "<"
        if starts_with_p or starts_with_name:
            end = t.find(">")
            if end < 0:
                raise GoRegexpError("invalid named capture", t)
            name = t[4 if starts_with_p else 3 : end]
            if not name or not all(ch == "_" or _go_isalnum(ch) for ch in name):
                raise GoRegexpError("invalid named capture", t[: end + 1])
            return i + end + 1, "capture"
        j = 2
        sign = 1
        saw_flag = False
        while j < len(t):
            c = t[j]
            j += 1
            if c in "imsU":
                saw_flag = True
            elif c == "-":
                if sign < 0:
                    break
                sign = -1
                saw_flag = False
            elif c in ":)":
                if sign < 0 and not saw_flag:
                    break
                return i + j, "group" if c == ":" else "flags"
            else:
                break
        raise GoRegexpError("invalid or unsupported Perl syntax", t[:j])

    @staticmethod
    def _parse_int(s: str, t: int) -> tuple[int, int] | None:
        n = len(s)
        if t >= n or not "0" <= s[t] <= "9":
            return None
        if t + 1 < n and s[t] == "0" and "0" <= s[t + 1] <= "9":
            return None
        start = t
        while t < n and "0" <= s[t] <= "9":
            t += 1
        digits = s[start:t]
        value = int(digits) if len(digits) <= 8 else -1
        if value >= 10**8:
            value = -1
        return value, t

    def _parse_repeat(self, i: int) -> tuple[int, int, int] | None:
        """regexp/syntax ``parseRepeat`` for ``{`` at ``i``: (min, max, end) or None when ``{`` is literal."""
        s, n = self.s, self.n
        parsed = self._parse_int(s, i + 1)
        if parsed is None:
            return None
        lo, t = parsed
        if t >= n:
            return None
        if s[t] != ",":
            hi = lo
        else:
            t += 1
            if t >= n:
                return None
            if s[t] == "}":
                hi = -1
            else:
                parsed = self._parse_int(s, t)
                if parsed is None:
                    return None
                hi, t = parsed
                if hi < 0:
                    lo = -1
        if t >= n or s[t] != "}":
            return None
        return lo, hi, t + 1

    def _repeat(self, i: int, end: int, max_zero: bool) -> int:
        """Apply the repetition operator ``s[i:end]`` (plus a non-greedy ``?``) to the last item."""
        s = self.s
        if end < self.n and s[end] == "?":
            end += 1
        lvl = self.levels[-1]
        item = lvl.last
        if item is not None and not self.last_repeat:
            if item.repeated:
                # Go's lastRepeat was reset by an empty \Q\E or a flag group: keep RE2 from seeing a**.
                self.out[item.out_start] = "(?:" + self.out[item.out_start]
                self.out[item.out_end - 1] += ")"
            if max_zero and (item.structured or item.repeated):
                # Go does not look inside x{0} when it checks nested repetition sizes; RE2 does.
                _re2_check("".join(self.out[item.out_start : item.out_end]))
                self.out[item.out_start] = "(?:)"
                for k in range(item.out_start + 1, item.out_end):
                    self.out[k] = ""
                item.structured = False
        self.out.append(s[i:end])
        if item is not None:
            item.height += 1
            item.out_end = len(self.out)
            item.repeated = True
            lvl.max_height = max(lvl.max_height, item.height)
            self._check_height(item.height)
        self.last_repeat = True
        return end

    # -- main loop -------------------------------------------------------------------------------
    def scan(self) -> str:
        s, n = self.s, self.n
        i = 0
        while i < n:
            c = s[i]
            repeat = False
            if c == "(":
                if i + 1 < n and s[i + 1] == "?":
                    end, kind = self._scan_perl_flags(i)
                    self.out.append(s[i:end])
                    if kind != "flags":
                        self.levels.append(_Level(kind == "capture", len(self.out) - 1))
                        self.levels[-2].last = None
                    i = end
                else:
                    self.out.append("(")
                    self.levels.append(_Level(True, len(self.out) - 1))
                    self.levels[-2].last = None
                    i += 1
            elif c == ")":
                if len(self.levels) == 1:
                    raise GoRegexpError("unexpected )", s)
                done = self.levels.pop()
                self.out.append(")")
                height = max(done.max_height, 1) + (1 if done.capture else 0)
                self._add_item(height, done.out_start, structured=True)
                i += 1
            elif c == "|":
                self.out.append("|")
                self.levels[-1].last = None
                i += 1
            elif c == "[":
                out_start = len(self.out)
                end = self._scan_class(i)
                self._add_item(1, out_start, structured=False)
                i = end
            elif c in "*+?":
                i = self._repeat(i, i + 1, max_zero=False)
                repeat = True
            elif c == "{":
                parsed = self._parse_repeat(i)
                if parsed is None:
                    self._atom("\\{")
                    i += 1
                else:
                    lo, hi, end = parsed
                    if lo < 0 or lo > 1000 or hi > 1000 or 0 <= hi < lo:
                        raise GoRegexpError("invalid repeat count", s[i:end])
                    i = self._repeat(i, end, max_zero=hi == 0)
                    repeat = True
            elif c == "\\":
                i = self._scan_backslash(i)
            else:
                self._atom(c)
                i += 1
            if not repeat:
                self.last_repeat = False
        return "".join(self.out)

    def _scan_backslash(self, i: int) -> int:
        s, n = self.s, self.n
        if i + 1 < n:
            c = s[i + 1]
            if c in "AbBz":
                self._atom(s[i : i + 2])
                return i + 2
            if c == "C":
                raise GoRegexpError("invalid escape sequence", "\\C")
            if c == "Q":
                close = s.find("\\E", i + 2)
                end = n if close < 0 else close + 2
                for ch in s[i + 2 : n if close < 0 else close]:
                    if ord(ch) < 0x80 and not _go_isalnum(ch):
                        self._atom(f"\\x{{{ord(ch):x}}}")
                    else:
                        self._atom(ch)
                return end
            if c in "pP":
                end = self._scan_unicode_class(i)
                self._atom("\\d")
                return end
            if c in "dDsSwW":
                self._atom(s[i : i + 2])
                return i + 2
        end = self._scan_escape(i)
        self._atom(s[i:end])
        return end
