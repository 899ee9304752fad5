"""HQ's error for bad input a person can fix (the CLI prints it and exits 2): a message and a stable code."""


class HqError(Exception):
    """A setting, file or argument HQ cannot use: the message says which, what is wrong and what to do."""

    def __init__(self, message: str, code: str = "hq.error") -> None:
        super().__init__(message)
        self.code = code
