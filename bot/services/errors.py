"""The one base of "the current state does not allow this" errors raised by the services.

Its message is an Indonesian sentence a person can act on (the customer in chat, or staff in the console);
the gateway answers it as 409 with that sentence (bot/api/errors.py), so routes do not map each error by hand.
"""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
