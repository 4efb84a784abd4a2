"""Integers in URLs have a range: an id no table can hold is a 404, not an error of the database.

`int` in every route is this converter (registered app-wide in app.create_app before the
blueprints): at most 2147483647 (PostgreSQL's INTEGER; SQLite would raise OverflowError above
2**63) and at most 10 digits read (Python refuses to read more than 4300 digits at all).
"""
from __future__ import annotations

import builtins

from werkzeug.routing import IntegerConverter, ValidationError

#: the largest id or number a URL may carry (PostgreSQL INTEGER)
MAX_URL_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """werkzeug's `int` with an upper bound by default (a route may still set its own)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        bound = MAX_URL_INT if max is None else builtins.min(max, MAX_URL_INT)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)

    def to_python(self, value: str):
        if len(value.lstrip("-").lstrip("0")) > len(str(MAX_URL_INT)):
            raise ValidationError()
        return super().to_python(value)


def register(app) -> None:
    """Make `int` bounded in every route; call before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def bounded_int(value: str | None) -> int | None:
    """A query or form value read as an id (0..MAX_URL_INT), or None: ASCII digits only
    ('²'.isdigit() is true but int() refuses it) and never more than an id can hold."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_URL_INT)):
        return None
    number = int(value)
    return number if number <= MAX_URL_INT else None
