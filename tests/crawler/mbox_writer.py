"""Write a large mbox on the fly: ``messages`` messages, each with an attachment of ``attachment`` bytes."""

from __future__ import annotations

import base64
import os
from pathlib import Path


def write_mbox(path: Path | str, messages: int, attachment: int) -> None:
    blob = base64.encodebytes(os.urandom(attachment * 3 // 4))
    with open(path, "wb") as out:
        for n in range(messages):
            out.write(b"From news@acme.example Mon Dec  7 10:00:00 2026\n")
            out.write(f"From: Acme <news@acme.example>\nSubject: Weekly report {n}\nMIME-Version: 1.0\n"
                      f"Content-Type: multipart/mixed; boundary=b{n}\n\n--b{n}\nContent-Type: text/plain\n\n"
                      f"Your CloudSync weekly report number {n} is attached.\n\n--b{n}\n"
                      "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
                      "Content-Disposition: attachment; filename=report.pdf\n\n".encode())
            out.write(blob)
            out.write(f"\n--b{n}--\n\n".encode())
