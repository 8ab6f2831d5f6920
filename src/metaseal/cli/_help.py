"""Text shared by the ``--help`` of every command."""

from __future__ import annotations

__all__ = ["exit_codes_epilog"]


def exit_codes_epilog(codes: dict[int, str]) -> str:
    """The ``--help`` epilog listing a command's documented exit codes."""
    return "exit codes: " + "; ".join(f"{k} {v}" for k, v in codes.items())
