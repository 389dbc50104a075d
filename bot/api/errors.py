"""How the gateway answers a request it refuses.

A ServiceError (bot/services/errors.py: the state does not allow it) is 409 with its Indonesian sentence.

FastAPI's default 422 echoes each invalid input back. That input is the customer's own text (personal data
in a response, and in any log that records responses), may be megabytes long, and may hold a lone surrogate
that cannot even be encoded, which turned a 422 into a 500. Ours names the field and the rule only.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.services.errors import ServiceError
from bot.services.sanitize import clean_json

_KEPT = ("type", "loc", "msg")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{key: error[key] for key in _KEPT if key in error} for error in exc.errors()]
    return JSONResponse({"detail": clean_json(errors)}, status_code=422)


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return JSONResponse({"detail": exc.message}, status_code=409)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _conflict)
