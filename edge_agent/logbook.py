"""The agent's own log: a rotating file under `<data_dir>/agent/` and the recent lines in memory, so HQ's
`send_logs` command gets them in the job's detail (bounded) and `rotate_logs` starts a new file. The log names
students (NIKs, record ids), so its folder is 0700 and every file of it, rotated ones included, 0600."""

import collections
import logging
import logging.handlers
from pathlib import Path
from typing import IO

from contract.durable import private_dir, private_opener

LOG_NAME = "agent.log"
LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 5
RECENT_LINES = 400
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files (the first and each one after a rollover) are created 0600."""

    def _open(self) -> IO[str]:
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=private_opener)


class Logbook(logging.Handler):
    """Keeps the last RECENT_LINES formatted records of the `edge_agent` loggers and writes them to the file."""

    def __init__(self, agent_dir: Path, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.setFormatter(logging.Formatter(FORMAT))
        self.lines: collections.deque[str] = collections.deque(maxlen=RECENT_LINES)
        private_dir(Path(agent_dir))
        self.file = PrivateRotatingFileHandler(Path(agent_dir) / LOG_NAME, maxBytes=LOG_MAX_BYTES,
                                                         backupCount=LOG_BACKUPS, encoding="utf-8")
        self.file.setFormatter(self.formatter)
        self._logger = logging.getLogger("edge_agent")
        self._level_before = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
            self.file.emit(record)
        except Exception:  # noqa: BLE001 - logging must never break the agent
            self.handleError(record)

    def attach(self) -> "Logbook":
        """Start collecting the `edge_agent` loggers' records (at INFO and above)."""
        self._logger.addHandler(self)
        self._level_before = self._logger.level
        if self._logger.getEffectiveLevel() > self.level:
            self._logger.setLevel(self.level)
        return self

    def detach(self) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level_before)
        self.file.close()

    def tail(self, max_chars: int) -> str:
        """The most recent lines that fit in `max_chars` (newest last)."""
        kept: list[str] = []
        size = 0
        for line in reversed(self.lines):
            line = line if len(line) < max_chars else line[: max_chars - 1]
            if size + len(line) + 1 > max_chars:
                break
            kept.append(line)
            size += len(line) + 1
        return "\n".join(reversed(kept))

    def rotate(self) -> str:
        """Start a new log file now (the old one becomes agent.log.1); returns what was done."""
        path = Path(self.file.baseFilename)
        size = path.stat().st_size if path.exists() else 0
        self.file.doRollover()
        return f"rotated {path.name} ({size} bytes) to {path.name}.1"
