"""The one exception type the web layer renders: a message, an HTTP status and a stable code."""


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, status_code: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"


class DatabaseUnavailable(AppError):
    status_code = 503
    code = "database_unavailable"
