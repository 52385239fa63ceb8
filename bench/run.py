"""Benchmarks: `make bench` runs them all; name one to run only it, with its own options.

    .venv/bin/python bench/run.py                       # every benchmark, default sizes
    .venv/bin/python bench/run.py import --people 1000000 [--mode valid]
    .venv/bin/python bench/run.py lookup --people 1000000

Each benchmark prints its figures as ratios against a baseline measured in the same run;
bench/RESULTS.md records what was seen, with the command and the date.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Short names; every other module here with a main() is found by its file name.
ALIASES = {
    "import": "import_people",  # bulk import of people (COPY baseline vs run_import)
    "lookup": "lookup",  # 一号 look-up latency over HTTP
}
BENCHMARKS = {
    **{
        p.stem: p.stem
        for p in sorted(HERE.glob("*.py"))
        if p.stem != "run" and "\ndef main(" in p.read_text(encoding="utf-8")
    },
    **{k: v for k, v in ALIASES.items() if (HERE / f"{v}.py").exists()},
}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    if argv and argv[0] in BENCHMARKS:
        return _run(BENCHMARKS[argv[0]], argv[1:])
    if argv:
        print(f"unknown benchmark {argv[0]!r}; choose from {', '.join(BENCHMARKS)}")
        return 2
    status = 0
    for name, module in {v: v for v in BENCHMARKS.values()}.items():
        print(f"=== {name} ===", flush=True)
        status |= _run(module, [])
    return status


def _run(module_name: str, args: list[str]) -> int:
    main = importlib.import_module(module_name).main
    if inspect.signature(main).parameters:
        return main(args)
    sys.argv = [f"{module_name}.py", *args]  # a benchmark that reads its options itself
    return main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
