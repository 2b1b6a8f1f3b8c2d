"""`python -m benchmarks [cold_start|dashboard|socket|server ...] [--large] [--quick]`, each in a subprocess.

--large adds 50,000 jobs to the dashboard benchmark (several minutes); --quick runs tiny sizes and counts
(a smoke test of the benchmarks themselves, not figures to quote).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import host_speed, loadavg

ALL = ("cold_start", "dashboard", "socket", "server")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str]) -> int:
    flags = [a for a in argv if a.startswith("--")]
    names = [a for a in argv if not a.startswith("--")] or list(ALL)
    unknown = [n for n in names if n not in ALL] + [f for f in flags if f not in ("--large", "--quick")]
    if unknown:
        print(f"unknown: {', '.join(unknown)}; choose from {', '.join(ALL)}, --large, --quick")
        return 2
    print(f"machine: {machine()}\nstarted {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {loadavg()}, "
          f"host speed {host_speed()}", flush=True)
    root = Path(__file__).resolve().parent.parent
    failed = 0
    for name in names:
        command = [sys.executable, "-m", f"benchmarks.bench_{name}", *flags]
        failed |= subprocess.run(command, cwd=root).returncode
    print(f"\nfinished {time.strftime('%H:%M:%S')}, load average {loadavg()}, host speed {host_speed()}",
          flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
