"""Errors the xAPI resources answer with an HTTP status and a message naming the cause."""

from __future__ import annotations


class LRSError(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(LRSError):
    status = 400


class Unauthorized(LRSError):
    status = 401


class Forbidden(LRSError):
    status = 403


class NotFoundError(LRSError):
    status = 404


class ConflictError(LRSError):
    status = 409


class PreconditionFailed(LRSError):
    status = 412


class TooLarge(LRSError):
    status = 413


class UnsupportedMediaType(LRSError):
    status = 415
