"""Time the README's test command as a clean clone runs it; print the wall time and the ten slowest tests.

    python benchmarks/test_suite_time.py            # `make test`: ruff, lint-imports, then pytest with mypy beside it
    python benchmarks/test_suite_time.py --pytest   # pytest only

The virtual environment must be set up (``make setup``); `make test` then runs
only its test steps. pytest runs with the options in ``pyproject.toml``
(doctests, strict nbval over every chapter, two xdist workers), nothing
deselected. As in a clean clone, nothing is reused: the chapters' execution
cache is a fresh folder (a clone has no ``_build/``), pytest's and ruff's caches
are off and mypy starts with an empty cache.

Printed: the wall time, the CPU time of every process the run started (a
figure other work on a shared machine changes less than the wall time), the
load average before and after, and the ten slowest tests. Target on a 2-core
machine: the whole command under 6 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cnslbp_lib.data.source import PROJECT_ROOT
from cnslbp_lib.publish.build.execution import CACHE_ENV

TARGET_SECONDS = 6 * 60
LOG = PROJECT_ROOT / "_build" / "test-suite-time.log"  # the whole output, with the 40 slowest tests
BIN = Path(sys.executable).parent


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(name: str, command: list[str], environment: dict[str, str]) -> tuple[float, float, str, int]:
    """Run one step in the project folder; return its wall and CPU seconds, its output and its exit code."""
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    print(f"{name:<14} {wall:7.1f} s wall {children_cpu() - cpu:7.1f} s CPU   exit {result.returncode}", flush=True)
    return wall, children_cpu() - cpu, result.stdout + result.stderr, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pytest", action="store_true", help="time pytest only, not ruff, lint-imports and mypy")
    options = parser.parse_args()
    print(f"load average before: {' '.join(f'{value:.1f}' for value in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="cnslbp-suite-") as folder:
        environment = {**os.environ, CACHE_ENV: str(Path(folder) / "execution-cache")}
        environment |= {
            "MYPY_CACHE_DIR": str(Path(folder) / "mypy"),
            "RUFF_NO_CACHE": "true",
            "PYTEST_ADDOPTS": f"{environment.get('PYTEST_ADDOPTS', '')} -p no:cacheprovider --durations=40 -rf",
        }
        command = [str(BIN / "pytest")] if options.pytest else ["make", "--no-print-directory", "test"]
        total_wall, total_cpu, output, failed = run(" ".join(Path(part).name for part in command), command, environment)
        LOG.parent.mkdir(parents=True, exist_ok=True)
        LOG.write_text(output, encoding="utf-8")
    print(f"{'total':<14} {total_wall:7.1f} s wall {total_cpu:7.1f} s CPU   target <= {TARGET_SECONDS} s wall"
          + ("" if total_wall <= TARGET_SECONDS else "  OVER TARGET"))  # fmt: skip
    print(f"load average after:  {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    slowest = output.split("slowest 40 durations", 1)[-1].splitlines()[1:11]
    print("ten slowest tests:")
    for line in slowest:
        print(f"  {line}")
    summary = [line for line in output.splitlines() if re.search(r"\b(passed|failed|error)\b", line)]
    print(summary[-1].strip("= ") if summary else output[-2000:])
    print(f"the whole output: {LOG}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
