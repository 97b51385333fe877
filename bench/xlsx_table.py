"""Time core.xlsx.table_bytes on a 10,000 x 12 sheet (text, Decimal money, floats, ints, None).

Run: .venv/bin/python bench/xlsx_table.py   (prints seconds, best of 3, and the load average)
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.xlsx import table_bytes  # noqa: E402

ROWS = [
    [
        f"expert {i}",
        f'=HYPERLINK("x{i}")' if i % 100 == 0 else f"组织 {i % 37}",
        Decimal(i) / 7,
        i,
        i * 0.25,
        None,
        "2026-12-04 10:00",
        True,
        f"note {i} " * 3,
        Decimal("1234.50"),
        i % 5,
        "yes",
    ]
    for i in range(10_000)
]
HEADERS = [f"column {i}" for i in range(12)]
FORMATS = ["", "", "#,##0.00", "", "0.00", "", "", "", "", "#,##0.00", "", ""]


def main() -> None:
    print("loadavg before:", Path("/proc/loadavg").read_text().strip())
    times = []
    for _ in range(3):
        start = time.perf_counter()
        content = table_bytes("bench", HEADERS, iter(ROWS), width=None, number_formats=FORMATS)
        times.append(time.perf_counter() - start)
    print(f"10,000 x 12: best {min(times):.3f} s, runs {', '.join(f'{t:.3f}' for t in times)}, {len(content):,} bytes")
    print("loadavg after:", Path("/proc/loadavg").read_text().strip(), "pid", os.getpid())


if __name__ == "__main__":
    main()
