"""A local SMTP server that accepts every message and counts it: the far end of
``bench.notifications --smtp``. Standard library only (``smtpd``, in Python 3.11).

    .venv/bin/python -W ignore -m bench.smtp_sink PORT COUNT_FILE

Every message received adds a line to COUNT_FILE (the bench reads it to check that the
server got exactly what the workers say they sent).
"""

from __future__ import annotations

import asyncore
import smtpd
import sys
from typing import Any


class Sink(smtpd.SMTPServer):
    def __init__(self, port: int, count_file: str) -> None:
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.out = open(count_file, "a", buffering=1)  # noqa: SIM115 - lives as long as the server

    def process_message(self, peer: Any, mailfrom: str, rcpttos: list[str], data: bytes, **kwargs: Any) -> None:
        self.out.write(f"{len(rcpttos)}\n")


def main() -> None:
    Sink(int(sys.argv[1]), sys.argv[2])
    asyncore.loop()


if __name__ == "__main__":
    main()
