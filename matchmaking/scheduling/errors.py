"""Errors raised by the scheduling core."""

from __future__ import annotations


class InstanceError(ValueError):
    """A malformed instance; the message is one line naming the first problem and its path."""

    def __init__(self, message: str) -> None:
        super().__init__(message.replace("\n", " "))
        self.message = message.replace("\n", " ")

    def __str__(self) -> str:
        return self.message
