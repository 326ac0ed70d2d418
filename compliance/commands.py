"""Subcommands beyond reading terms: registered on the parser, each with its handler."""

from __future__ import annotations


def register(sub) -> None:
    """Add the commands defined here to the ``compliance`` parser."""
    return None
