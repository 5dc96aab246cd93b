"""Spreadsheet formulas in CSV cells: neutralised on export, restored on import.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets when the file is opened (OWASP's "CSV injection"):
a value typed into a web form could then reach a link or a command on the reader's machine. An
export writes such a value with one ``'`` in front, which spreadsheets read as "this is text";
an import takes one ``'`` off again, so an exported file imports back to the same values. A value
that already starts with quotes before such a character gets one more, so it round-trips too.
Only strings are guarded: numbers, booleans and JSON text never start a formula.
"""

from __future__ import annotations

import re

__all__ = ["FIRST_CHARACTERS", "guard", "unguard"]

#: The first characters of a value that :func:`guard` may change (a cheap test for hot loops).
FIRST_CHARACTERS = frozenset("'=+-@\t\r")

#: Text a spreadsheet could run as a formula, after any quotes a value of ours started with.
FORMULA = re.compile(r"'*[=+\-@\t\r]")
#: A cell ``guard`` wrote: one more quote than the value had.
GUARDED = re.compile(r"'+[=+\-@\t\r]")


def guard(value: str) -> str:
    """``value`` as an exported cell: a leading ``'`` when a spreadsheet would run it."""
    return "'" + value if FORMULA.match(value) else value


def unguard(cell: str) -> str:
    """An imported cell's value: the ``'`` that :func:`guard` added taken off again."""
    return cell[1:] if GUARDED.match(cell) else cell
