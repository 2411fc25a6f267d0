"""The common model line, read without Python's parser (``import _ast`` alone costs about
1.3 ms, a tenth of Python's start-up, on ``rnnquiz count MODEL``'s fast path).

:func:`calls` reads the plain form people write (ASCII, spaces only, calls joined by ``>``,
arguments that are decimal numbers, quoted strings without backslashes, True/False/None,
tuples, lists or calls) and returns None for anything else, which
:func:`rnnquiz.description.model.parse_layers` then reads with Python's own parser. So this
reader never decides what a line means or how an error is worded: what it accepts, it reads
exactly as Python's parser does (same values, same columns; tests compare the two on generated
lines), and whatever it is unsure of, it leaves to the parser.
"""

from __future__ import annotations

# Python's keywords (and __debug__): a call, keyword argument or value with such a name means
# something else, or is a syntax error, to Python's parser.
_RESERVED = frozenset(
    "False None True and as assert async await break class continue def del elif else except "
    "finally for from global if import in is lambda nonlocal not or pass raise return try "
    "while with yield __debug__".split())
_CONSTANTS = {"True": True, "False": False, "None": None}
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
MAX_DEPTH = 64  # calls and tuples inside each other; deeper lines go to Python's parser
MAX_NUMBER = 100  # characters of one number literal


class Call:
    """One constructor call: ``name`` as written (``"nn.LSTM"``), ``start``/``end`` its
    character span in the line, ``args`` [(value, start)], ``keywords`` [(name, value, start)].
    A value is a Python literal (tuples for tuples and lists) or a Call."""

    __slots__ = ("name", "start", "end", "args", "keywords")

    def __init__(self, name, start, end, args, keywords):
        self.name = name
        self.start = start
        self.end = end
        self.args = args
        self.keywords = keywords


class _Unsure(Exception):
    """The line is outside the plain form: Python's parser reads it."""


def calls(source: str):
    """The calls of a stripped model line joined by ``>``, or None when it is not in the plain
    form (see the module's docstring)."""
    if not source.isascii() or not source.isprintable():
        return None
    try:
        return _Reader(source).chain()
    except (_Unsure, RecursionError):
        return None


class _Reader:
    def __init__(self, text):
        self.s = text
        self.i = 0
        self.depth = 0

    def peek(self, k=0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def spaces(self):
        s, i = self.s, self.i
        while i < len(s) and s[i] == " ":
            i += 1
        self.i = i

    def expect(self, char):
        if self.peek() != char:
            raise _Unsure
        self.i += 1

    def chain(self) -> list:
        found = [self.call()]
        self.spaces()
        while self.i < len(self.s):
            self.expect(">")
            if self.peek() in (">", "="):
                raise _Unsure
            self.spaces()
            found.append(self.call())
            self.spaces()
        return found

    def _name_end(self):
        """Where the identifier starting here ends, or None when none starts here."""
        s = self.s
        if self.peek() not in _NAME_START:
            return None
        i = self.i + 1
        while i < len(s) and s[i] in _NAME_CHARS:
            i += 1
        return i

    def name(self) -> str:
        start, i = self.i, self._name_end()
        if i is None:
            raise _Unsure
        word = self.s[start:i]
        if word in _RESERVED:
            raise _Unsure
        self.i = i
        return word

    def call(self) -> Call:
        start = self.i
        parts = [self.name()]
        while self.peek() == ".":
            self.i += 1
            parts.append(self.name())
        self.spaces()
        self.expect("(")
        self.enter()
        args, keywords = self.arguments()
        self.depth -= 1
        return Call(".".join(parts), start, self.i, args, keywords)

    def arguments(self):
        args, keywords, seen = [], [], set()
        self.spaces()
        if self.peek() == ")":
            self.i += 1
            return args, keywords
        while True:
            self.spaces()
            keyword = self.keyword()
            if keyword is not None:
                if keyword in seen:
                    raise _Unsure
                seen.add(keyword)
                self.spaces()
                start = self.i
                keywords.append((keyword, self.value(calls=True), start))
            else:
                if keywords:  # a positional argument after a keyword: a syntax error
                    raise _Unsure
                start = self.i
                args.append((self.value(calls=True), start))
            self.spaces()
            if self.peek() == ",":
                self.i += 1
                self.spaces()
                if self.peek() == ")":
                    self.i += 1
                    return args, keywords
                continue
            self.expect(")")
            return args, keywords

    def keyword(self):
        """The name of ``name =`` (not ``==``) starting here, consumed; else None."""
        s, i, j = self.s, self.i, self._name_end()
        if j is None:
            return None
        k = j
        while k < len(s) and s[k] == " ":
            k += 1
        if k < len(s) and s[k] == "=" and s[k + 1:k + 2] != "=":
            word = s[i:j]
            if word in _RESERVED:
                raise _Unsure
            self.i = k + 1
            return word
        return None

    def value(self, calls=False):
        c = self.peek()
        if c in ("'", '"'):
            end = self.s.find(c, self.i + 1)
            if end < 0:
                raise _Unsure
            body = self.s[self.i + 1:end]
            if "\\" in body:
                raise _Unsure
            self.i = end + 1
            return body
        if c in _DIGITS:
            return self.number()
        if c in ("-", "+"):
            self.i += 1
            self.spaces()
            if self.peek() not in _DIGITS:
                raise _Unsure
            number = self.number()
            return -number if c == "-" else number
        if c in ("(", "["):
            return self.sequence(c)
        if c in _NAME_START:
            s, end = self.s, self.i + 1
            while end < len(s) and s[end] in _NAME_CHARS:
                end += 1
            word = s[self.i:end]
            if word in _CONSTANTS:
                self.i = end
                return _CONSTANTS[word]
            if not calls:
                raise _Unsure
            return self.call()
        raise _Unsure

    def number(self):
        s, start = self.s, self.i
        i = start
        while i < len(s) and s[i] in _DIGITS:
            i += 1
        if i < len(s) and s[i] == ".":
            j = i + 1
            while j < len(s) and s[j] in _DIGITS:
                j += 1
            if j == i + 1 or j - start > MAX_NUMBER:
                raise _Unsure
            self.i = j
            return float(s[start:j])
        text = s[start:i]
        if (len(text) > 1 and text[0] == "0") or len(text) > MAX_NUMBER:
            raise _Unsure
        self.i = i
        return int(text)

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unsure

    def sequence(self, opener):
        closer = ")" if opener == "(" else "]"
        self.i += 1
        self.enter()
        items, trailing = [], False
        self.spaces()
        while self.peek() != closer:
            items.append(self.value())
            trailing = False
            self.spaces()
            if self.peek() == ",":
                self.i += 1
                trailing = True
                self.spaces()
            elif self.peek() != closer:
                raise _Unsure
        self.i += 1
        self.depth -= 1
        if opener == "(" and len(items) == 1 and not trailing:
            raise _Unsure  # (x) is x in parentheses, not a tuple
        return tuple(items)
