"""Modules imported on first use, so a server process does not carry every library it may need.

python-docx, icalendar and openpyxl take about 60 MiB between them and serve a few downloads;
the pages never touch them. `lazy_module("exports.files")` stands for the module and imports it
(under Python's import lock, so threads are safe) the first time one of its names is read.
"""
from __future__ import annotations

import importlib
from types import ModuleType


class lazy_module:  # lower case: it is used like a module
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attribute)
