"""Cigale's errors: one tree, one root, each with a message written for the user.

    CigaleError                  exit 1, HTTP 500
    ├── ConfigError              a setting or the territory pack is wrong (exit 2, HTTP 500)
    ├── QuestionError            an empty, over-long or malformed question (exit 2, HTTP 400)
    ├── SourceError              a file that cannot be read or parsed (exit 1, HTTP 422)
    ├── NotReadyError            no index yet: ingest something first (exit 3, HTTP 503)
    ├── StoreError               the data directory is unusable (exit 4, HTTP 500)
    └── EmbeddingError           the remote embedding service failed (exit 5, HTTP 503)

The CLI prints ``str(error)`` and exits with ``exit_code``; the web app answers
``{"error": {"type", "message"}}`` with ``http_status``. Nothing else catches them.
"""


class CigaleError(Exception):
    exit_code = 1
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(CigaleError):
    exit_code = 2


class QuestionError(CigaleError):
    exit_code = 2
    http_status = 400


class SourceError(CigaleError):
    http_status = 422

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self):  # copy and pickle with both arguments
        return type(self), (self.path, self.reason)


class NotReadyError(CigaleError):
    exit_code = 3
    http_status = 503


class StoreError(CigaleError):
    exit_code = 4


class EmbeddingError(CigaleError):
    exit_code = 5
    http_status = 503
