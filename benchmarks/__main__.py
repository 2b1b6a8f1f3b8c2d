"""`python -m benchmarks [cold_start|dashboard|socket ...]`: each in a fresh process, figures printed."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ALL = ("cold_start", "dashboard", "socket")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(names: list[str]) -> int:
    print(f"machine: {machine()}\n", flush=True)
    root = Path(__file__).resolve().parent.parent
    failed = 0
    for name in names or ALL:
        if name not in ALL:
            print(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
            return 2
        failed |= subprocess.run([sys.executable, "-m", f"benchmarks.bench_{name}"], cwd=root).returncode
        print(flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
