"""The stand-in's errors module."""

from __future__ import annotations


class ExceptionGroup(Exception):
    pass
