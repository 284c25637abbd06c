"""crmclients benchmark: the SDK against a raw requests + json loop, in one run.

    python benchmarks/run.py                 # 100k records (a few minutes)
    python benchmarks/run.py --quick         # tiny sizes: proves it works (CI)

Starts pre-rendered Tactile-shaped servers in their own processes (so the client is
never slowed by a server sharing its GIL), measures the server's own ceiling, then,
in the same run and interleaved (best of --repeat), measures:

* a raw ``requests.Session().get(...).json()`` loop over every page (the baseline);
* the SDK's sequential typed pull (with and without ``raw``);
* parallel pulls with 4, 8 and 16 workers against a server with injected latency,
  against the sequential raw loop on that same server;
* the CLI writing JSONL, against the in-process pull;
* memory: ``to_list()`` with and without raw against a list of the raw dicts, and
  peak RSS of a streaming pull at 10k and at the full size;
* ``import crmclients`` against ``import requests, attrs, cattrs``.

It prints a table of ratios (with the issue's targets) and writes it to
``benchmarks/results/latest.md`` and ``latest.json``. Figures are ratios measured in
the same run, because the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PAGE_SIZE = 100


@contextmanager
def server(records: int, latency: float = 0.0) -> Iterator[int]:
    """A benchmark server in a subprocess; yields its port."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "server.py"),
            "--records",
            str(records),
            "--latency",
            str(latency),
            "--page-size",
            str(PAGE_SIZE),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("READY"):
            raise RuntimeError(f"benchmark server failed to start: {line!r}")
        yield int(line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


def token() -> str:
    from crmclients.sandbox.tactile import TOKEN

    return TOKEN


def pages_for(records: int) -> int:
    return max(1, -(-records // PAGE_SIZE))


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (the least disturbed by a noisy machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


# -- the measured loops -----------------------------------------------------------------


def ceiling(port: int, records: int) -> int:
    """Pages fetched with http.client, bytes only: what the server can serve."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port)
    for number in range(1, pages_for(records) + 1):
        connection.request(
            "GET", f"/opportunities?limit={PAGE_SIZE}&page={number}&api_token={token()}"
        )
        connection.getresponse().read()
    connection.close()
    return records


def raw_loop(port: int, records: int) -> int:
    """The baseline: what a user would write with requests alone."""
    import requests

    session = requests.Session()
    count = 0
    for number in range(1, pages_for(records) + 1):
        answer = session.get(
            f"http://127.0.0.1:{port}/opportunities",
            params={"limit": PAGE_SIZE, "page": number, "api_token": token()},
            timeout=30,
        )
        count += len(answer.json()["opportunities"])
    session.close()
    return count


def sdk_pull(port: int, *, workers: int = 1, include_raw: bool = True) -> int:
    """The SDK: a typed pull of every opportunity."""
    import crmclients

    with crmclients.connect(
        "tactile", base_url=f"http://127.0.0.1:{port}", api_token=token()
    ) as client:
        return sum(
            1
            for _ in client.opportunities.list(
                page_size=PAGE_SIZE, workers=workers, include_raw=include_raw
            )
        )


def sdk_pull_to_jsonl(port: int, out: Path) -> int:
    """The same job in-process: pull and write JSONL with crmclients.export."""
    import crmclients
    from crmclients import export

    with crmclients.connect(
        "tactile", base_url=f"http://127.0.0.1:{port}", api_token=token()
    ) as client:
        return export.write_jsonl(client.opportunities.list(page_size=PAGE_SIZE), out)


def cli_pull(port: int, out: Path) -> None:
    """The CLI writing JSONL, as a user would run it."""
    env = {
        **os.environ,
        "CRMCLIENTS_TACTILE_BASE_URL": f"http://127.0.0.1:{port}",
        "CRMCLIENTS_TACTILE_API_TOKEN": token(),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "crmclients",
            "pull",
            "tactile",
            "opportunities",
            "--format",
            "jsonl",
            "--out",
            str(out),
            "--quiet",
            "--page-size",
            str(PAGE_SIZE),
        ],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )


def memory(port: int, mode: str, limit: int | None = None) -> dict[str, float]:
    """RSS figures from a fresh interpreter (see benchmarks/memory.py)."""
    command = [
        sys.executable,
        str(HERE / "memory.py"),
        "--port",
        str(port),
        "--mode",
        mode,
    ]
    if limit:
        command += ["--limit", str(limit)]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def import_time(statement: str, repeat: int) -> float:
    """Best in-process time of an import statement in fresh interpreters."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        times.append(float(output.stdout.strip()))
    return min(times)


# -- the run -----------------------------------------------------------------------------


def run(
    records: int, latency_records: int, latency: float, repeat: int, memory_small: int
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "records": records,
        "latency_records": latency_records,
        "latency_s": latency,
        "repeat": repeat,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    seconds: dict[str, float] = {}
    with server(records) as port:
        sdk_pull(port)  # warm up: imports, connections, generated functions
        raw_loop(port, records)
        seconds["server ceiling (http.client, bytes only)"] = best(
            lambda: ceiling(port, records), repeat
        )
        rounds: dict[str, list[float]] = {"raw": [], "sdk": [], "sdk_noraw": []}
        for _ in range(repeat):  # interleaved, so drifts hit every contender alike
            rounds["raw"].append(best(lambda: raw_loop(port, records), 1))
            rounds["sdk"].append(best(lambda: sdk_pull(port), 1))
            rounds["sdk_noraw"].append(
                best(lambda: sdk_pull(port, include_raw=False), 1)
            )
        seconds["raw requests + json loop"] = min(rounds["raw"])
        seconds["sdk sequential pull"] = min(rounds["sdk"])
        seconds["sdk sequential pull, include_raw=False"] = min(rounds["sdk_noraw"])
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "pull.jsonl"
            seconds["in-process pull to jsonl"] = best(
                lambda: sdk_pull_to_jsonl(port, out), repeat
            )
            seconds["cli pull to jsonl"] = best(lambda: cli_pull(port, out), repeat)
            written = sum(1 for _ in out.open())
        results["cli_records_written"] = written
        mem_raw = memory(port, "raw-list")
        mem_list = memory(port, "to-list")
        mem_list_noraw = memory(port, "to-list-noraw")
        mem_stream_small = memory(port, "stream", limit=memory_small)
        mem_stream_full = memory(port, "stream")
    with server(latency_records, latency) as slow:
        sdk_pull(slow, workers=4)
        seconds["raw loop at latency"] = best(
            lambda: raw_loop(slow, latency_records), 1
        )
        for workers in (4, 8, 16):
            seconds[f"sdk {workers} workers at latency"] = best(
                lambda w=workers: sdk_pull(slow, workers=w), repeat
            )
    imports = {
        "import crmclients": import_time("import crmclients", max(5, repeat * 5)),
        "import requests, attrs, cattrs": import_time(
            "import requests, attrs, cattrs", max(5, repeat * 5)
        ),
    }
    results["seconds"] = seconds
    results["memory_mb"] = {
        "raw dicts list": mem_raw["grew_mb"],
        "to_list() with raw": mem_list["grew_mb"],
        "to_list() without raw": mem_list_noraw["grew_mb"],
        f"streaming peak at {memory_small}": mem_stream_small["peak_grew_mb"],
        f"streaming peak at {records}": mem_stream_full["peak_grew_mb"],
    }
    results["imports_s"] = imports
    base = seconds["raw requests + json loop"]
    slow_base = seconds["raw loop at latency"]
    results["ratios"] = [
        (
            "server ceiling vs raw loop (throughput)",
            base / seconds["server ceiling (http.client, bytes only)"],
            None,
        ),
        (
            "sequential typed pull vs raw loop (throughput)",
            base / seconds["sdk sequential pull"],
            1.0,
        ),
        (
            "sequential pull, include_raw=False vs raw loop",
            base / seconds["sdk sequential pull, include_raw=False"],
            None,
        ),
        (
            "4 workers at latency vs sequential raw loop",
            slow_base / seconds["sdk 4 workers at latency"],
            None,
        ),
        (
            "8 workers at latency vs sequential raw loop",
            slow_base / seconds["sdk 8 workers at latency"],
            7.0,
        ),
        (
            "16 workers at latency vs sequential raw loop",
            slow_base / seconds["sdk 16 workers at latency"],
            11.0,
        ),
        (
            "cli to jsonl vs in-process pull to jsonl (throughput)",
            seconds["in-process pull to jsonl"] / seconds["cli pull to jsonl"],
            0.8,
        ),
        (
            "cli to jsonl vs in-process pull, not writing (throughput)",
            seconds["sdk sequential pull"] / seconds["cli pull to jsonl"],
            None,
        ),
        (
            "to_list() without raw vs raw dicts (memory)",
            mem_list_noraw["grew_mb"] / mem_raw["grew_mb"],
            0.7,
        ),
        (
            "to_list() with raw vs raw dicts (memory)",
            mem_list["grew_mb"] / mem_raw["grew_mb"],
            None,
        ),
        (
            "import crmclients vs requests+attrs+cattrs (time)",
            imports["import crmclients"] / imports["import requests, attrs, cattrs"],
            1.2,
        ),
    ]
    results["stream_small"] = memory_small
    results["stream_growth_mb"] = (
        mem_stream_full["peak_grew_mb"] - mem_stream_small["peak_grew_mb"]
    )
    return results


LOWER_IS_BETTER = ("(memory)", "(time)")


def table(results: dict[str, Any]) -> str:
    lines = [
        f"records={results['records']:,} (pages of {PAGE_SIZE}); latency runs: {results['latency_records']:,} records "
        f"at {results['latency_s'] * 1000:.0f} ms; best of {results['repeat']}; Python {results['python']}, "
        f"{results['cpus']} CPUs",
        "",
        "| measurement | ratio | target | |",
        "|---|---:|---:|---|",
    ]
    for name, ratio, target in results["ratios"]:
        if target is None:
            verdict, shown = "", "-"
        else:
            lower = name.endswith(LOWER_IS_BETTER)
            ok = ratio <= target if lower else ratio >= target
            verdict, shown = (
                ("met" if ok else "MISSED"),
                (f"<= {target:g}x" if lower else f">= {target:g}x"),
            )
        lines.append(f"| {name} | {ratio:.2f}x | {shown} | {verdict} |")
    growth = round(results["stream_growth_mb"], 1) + 0.0  # no "-0.0"
    lines.append(
        f"| streaming peak RSS growth, {results['stream_small']:,} -> {results['records']:,} records "
        f"| {growth:+.1f} MB | <= 5 MB | {'met' if growth <= 5 else 'MISSED'} |"
    )
    lines += ["", "| raw figure | value |", "|---|---:|"]
    for name, value in results["seconds"].items():
        lines.append(f"| {name} | {value:.3f} s |")
    for name, value in results["memory_mb"].items():
        lines.append(f"| RSS growth: {name} | {value:.1f} MB |")
    for name, value in results["imports_s"].items():
        lines.append(f"| {name} | {value * 1000:.1f} ms |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--latency-records", type=int, default=20_000)
    parser.add_argument("--latency", type=float, default=0.020)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one round (CI)"
    )
    args = parser.parse_args()
    if args.quick:
        args.records, args.latency_records, args.repeat = 2_000, 1_000, 1
    small = min(10_000, args.records // 10)
    results = run(args.records, args.latency_records, args.latency, args.repeat, small)
    text = table(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(
        f"    python benchmarks/run.py {' '.join(sys.argv[1:])}\n\n{text}\n"
    )
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
