"""URL rules whose builders are compiled once per process instead of once per app.

Werkzeug turns every rule into two small Python functions (for url_for) through `ast` and
`compile`: for our ~155 rules that is most of `create_app`'s time (0.3 s), paid again by each
app a process makes (every test, every CLI command that serves pages). The generated function
depends only on the rule's text, its defaults and whether unknown arguments are appended; it
reads the rule's converters through the rule it is bound to, so one compiled function serves
every app's copy of the same rule.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from werkzeug.routing import Rule


class SharedBuilderRule(Rule):
    """A Werkzeug Rule that reuses the compiled URL builder of an identical earlier rule."""

    _builders: ClassVar[dict[tuple, Callable[..., Any]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., Any]:
        key = (self.rule, self.subdomain, self.host, tuple(self._trace),
               repr(sorted((self.defaults or {}).items())), append_unknown)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder
