"""crmclients reliability run (issue 8): every measurement at full size, one command.

    python benchmarks/reliability.py                  # 2,000 records per pull
    python benchmarks/reliability.py --quick          # CI sizes (a smoke run)
    python benchmarks/reliability.py --size 5000 --examples 500

It runs the reliability test suite (``tests/reliability``) at the chosen size, so
every figure comes from assertions that passed, then a randomised drift study the
suite cannot assert (outcomes are counted, not judged), and prints the tables:

* pulls under 20% faults: records expected / received / duplicated, requests,
  retries, faults injected per kind, time;
* writes under faults: every write of every vendor x every fault kind: requests
  sent, times applied, outcome; and the WRITES table the code uses;
* records moving during a pull (drift): the suite's cases and the random study;
* secrets looked for and found; property-test examples per decoder and per write;
* 8 threads sharing one client; the rate limiter's rate under that load.

The tables go to stdout and to ``benchmarks/results/reliability.md`` (and the raw
figures to ``reliability.json``). docs/reliability.md quotes a run of this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def run_suite(size: int, examples: int) -> tuple[int, dict[str, Any], float]:
    """The reliability tests at this size; returns (exit code, figures, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "figures.json"
        env = {
            **os.environ,
            "CRMCLIENTS_RELIABILITY_SIZE": str(size),
            "CRMCLIENTS_RELIABILITY_EXAMPLES": str(examples),
            "CRMCLIENTS_RELIABILITY_REPORT": str(report),
        }
        started = time.perf_counter()
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/reliability",
            ],
            cwd=ROOT,
            env=env,
            stdout=sys.stderr,  # pytest's progress; the tables go to stdout
        )
        seconds = time.perf_counter() - started
        figures = json.loads(report.read_text()) if report.exists() else {}
    return code, figures, seconds


def drift_study(runs: int, seed: int) -> list[dict[str, Any]]:
    """Random inserts/deletes during pulls, sequential and with 4 workers: outcomes.

    Each run changes a 120-record list 1-3 times (up to two pages inserted or one
    page deleted, at the start, the end or at random) at random list requests of a
    pull with pages of 10, and classifies the result: exact (every record that
    existed throughout, once), PaginationDriftError, another crmclients error,
    duplicated, or short.
    """
    sys.path.insert(0, str(ROOT))
    import warnings

    import crmclients
    from crmclients import errors
    from crmclients.testing import instant_retries
    from tests.reliability import _support

    warnings.simplefilter("ignore", errors.VendorDeprecationWarning)
    rng = random.Random(seed)
    rows = []
    with instant_retries():
        for vendor, collection in _support.PAGED:
            for workers in (1, 4):
                outcomes: Counter[str] = Counter()
                for _ in range(runs):
                    outcomes[_drift_once(vendor, collection, workers, rng)] += 1
                rows.append(
                    {
                        "vendor": vendor,
                        "collection": collection,
                        "paging": _support.PAGING_KIND[vendor],
                        "workers": workers,
                        "runs": runs,
                        **outcomes,
                    }
                )
    del crmclients
    return rows


def _drift_once(vendor: str, collection: str, workers: int, rng: random.Random) -> str:
    import crmclients
    from crmclients import errors
    from tests.reliability import _support

    page = 10
    plan: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for _ in range(rng.randint(1, 3)):
        at_request = rng.randint(1, 8)
        if rng.random() < 0.5:
            plan[at_request].append(
                ("insert", rng.randint(1, 2 * page), rng.choice(["start", "end"]))
            )
        else:
            plan[at_request].append(
                ("delete", rng.randint(1, page), rng.choice(["start", "end", "random"]))
            )
    with (
        _support.sandbox(vendor, 120, seed=rng.randrange(1000)) as sb,
        crmclients.connect(
            vendor, rate_limit=_support.NO_LIMIT, **sb.settings
        ) as client,
    ):
        _support.warm_up(client)
        name = _support.drift_name(vendor, collection)
        before = sb.emulator.record_ids(name)
        changed: set[str] = set()

        def act(number: int) -> None:
            for change, n, at in plan.get(number, []):
                method = getattr(sb.emulator, f"{change}_records")
                changed.update(method(n, collection=name, at=at))

        try:
            with _support.on_list_request(sb, act):
                got = _support.pull_ids(
                    client, collection, page_size=page, workers=workers
                )
        except errors.PaginationDriftError:
            return "PaginationDriftError"
        except errors.CRMError as exc:
            return type(exc).__name__
    stayed = [i for i in before if i not in changed]
    if len(got) != len(set(got)):
        return "duplicated"
    if not set(stayed) <= set(got):
        return "short"
    return "exact"


# -- rendering -------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render(figures: dict[str, Any], drift: list[dict[str, Any]], meta: str) -> str:
    """Every table of the run."""
    sys.path.insert(0, str(ROOT))
    from crmclients.sandbox import FAULT_KINDS
    from tests.reliability._writes import writes_markdown

    s = figures.get("sections", {})
    parts = [f"# crmclients reliability run\n\n{meta}\n"]

    pulls = s.get("pulls", [])
    parts.append("## Pulls under 20% faults (every kind, seeded)\n")
    parts.append(
        table(
            [
                "vendor",
                "collection",
                "expected",
                "received",
                "duplicated",
                "missing",
                "list calls",
                "HTTP requests",
                "retries",
                "faults",
                "time (s)",
                "backoff asked (s)",
            ],
            [
                [
                    r["vendor"],
                    r["collection"],
                    r["expected"],
                    r["received"],
                    r["duplicated"],
                    r["missing"],
                    r["calls"],
                    r["http_requests"],
                    r["retries"],
                    sum(r["faults"].values()),
                    r["seconds"],
                    r["backoff_seconds"],
                ]
                for r in pulls
            ],
        )
    )
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for r in pulls:
        by_kind[r["vendor"]].update(r["faults"])
    parts.append("\n### Faults injected per kind (all pulls above)\n")
    vendors = sorted(by_kind)
    parts.append(
        table(
            ["kind", *vendors, "total"],
            [
                [
                    k,
                    *(by_kind[v][k] for v in vendors),
                    sum(by_kind[v][k] for v in vendors),
                ]
                for k in FAULT_KINDS
            ]
            + [
                [
                    "**all**",
                    *(sum(by_kind[v].values()) for v in vendors),
                    sum(sum(c.values()) for c in by_kind.values()),
                ]
            ],
        )
    )
    exhausted = s.get("exhausted", [])
    if exhausted:
        parts.append("\n### Every request faulted: bounded attempts, then an error\n")
        parts.append(
            table(
                ["vendor", "attempts allowed", "HTTP requests", "error"],
                [
                    [r["vendor"], r["attempts"], r["http_requests"], r["error"]]
                    for r in exhausted
                ],
            )
        )

    writes = s.get("writes", [])
    parts.append("\n## Writes under faults (each write x each fault kind)\n")
    agg: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    for r in writes:
        c = agg[(r["vendor"], r["idempotent"])]
        c["cases"] += 1
        c["sent"] += r["sent"]
        c["duplicated"] += int(r["applied"] > 1)
        c["applied"] += int(r["applied"] == 1)
        c["not applied"] += int(r["applied"] == 0)
        c[r["outcome"]] += 1
    parts.append(
        table(
            [
                "vendor",
                "idempotent",
                "writes attempted",
                "requests sent",
                "applied once",
                "not applied",
                "duplicated",
                "AmbiguousWriteError",
                "succeeded",
            ],
            [
                [
                    v,
                    "yes" if i else "no",
                    c["cases"],
                    c["sent"],
                    c["applied"],
                    c["not applied"],
                    c["duplicated"],
                    c["AmbiguousWriteError"],
                    c["ok"],
                ]
                for (v, i), c in sorted(agg.items())
            ],
        )
    )
    parts.append("\n### The WRITES table (generated from the code)\n")
    parts.append(writes_markdown())

    parts.append("\n## Records moving during a pull\n")
    parts.append(
        table(
            [
                "vendor",
                "collection",
                "change after page 1",
                "duplicated",
                "missed",
                "outcome",
            ],
            [
                [
                    r["vendor"],
                    r["collection"],
                    r["change"],
                    r["duplicated"],
                    r["missed"],
                    r["outcome"],
                ]
                for r in s.get("drift", [])
            ],
        )
    )
    if drift:
        outcomes = sorted(
            {k for r in drift for k in r}
            - {"vendor", "collection", "paging", "workers", "runs"}
        )
        parts.append("\n### Random drift study (counted, not asserted)\n")
        parts.append(
            table(
                ["vendor", "collection", "paging", "workers", "runs", *outcomes],
                [
                    [
                        r["vendor"],
                        r["collection"],
                        r["paging"],
                        r["workers"],
                        r["runs"],
                        *(r.get(o, 0) for o in outcomes),
                    ]
                    for r in drift
                ],
            )
        )

    parts.append("\n## Secrets\n")
    parts.append(
        table(
            [
                "vendor",
                "credentials looked for",
                "log records",
                "texts checked",
                "characters",
                "tokens renewed",
                "found",
            ],
            [
                [
                    r["vendor"],
                    r["credentials"],
                    r["log_records"],
                    r["texts"],
                    r["characters"],
                    r["tokens_renewed"],
                    r["found"],
                ]
                for r in s.get("secrets", [])
            ],
        )
    )

    hostile = s.get("hostile", [])
    parts.append("\n## Hostile servers (redirects, echoes, Retry-After, trickles)\n")
    by_vendor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in hostile:
        by_vendor[r["vendor"]].append(r)
    summary = []
    for vendor, rows in sorted(by_vendor.items()):

        def kind(name: str, rows: list[dict[str, Any]] = rows) -> list[dict[str, Any]]:
            return [r for r in rows if r["kind"] == name]

        redirects, echoes = kind("redirect elsewhere"), kind("echo")
        waits = [r["outcome"] for r in kind("retry-after")]
        trickles = [r["outcome"].rsplit(" ", 2)[-2] for r in kind("trickle")]
        summary.append(
            [
                vendor,
                f"{sum(r['outcome'] == 'RedirectError' for r in redirects)}/{len(redirects)}",
                sum(r["reached_other_origin"] for r in redirects),
                f"{len(echoes)} statuses, {sum(r['leaked'] for r in echoes + redirects)} found",
                ", ".join(
                    sorted({w.split()[1] for w in waits if w.startswith("waited")})
                )
                + f" s (asked {kind('retry-after')[0]['asked'] if waits else '-'} s)",
                f"{max((float(t) for t in trickles), default=0):.2f} s",
            ]
        )
    parts.append(
        table(
            [
                "vendor",
                "redirects to another origin refused",
                "requests reaching the other origin",
                "errors echoing the request: credentials",
                "Retry-After waits (429/503 with JSON body)",
                "longest call against a 15 s trickle",
            ],
            summary,
        )
    )

    decoders = s.get("decoders", [])
    parts.append("\n## Property tests: damaged answers, per decoder\n")
    parts.append(
        table(
            [
                "vendor",
                "decoder",
                "examples",
                "models",
                "crmclients errors",
                "damaged answers",
            ],
            [
                [
                    r["vendor"],
                    r["decoder"],
                    r["examples"],
                    r["models"],
                    r["errors"],
                    r["damaged_answers"],
                ]
                for r in decoders
            ]
            + [
                [
                    "**all**",
                    f"{len(decoders)} decoders",
                    sum(r["examples"] for r in decoders),
                    sum(r["models"] for r in decoders),
                    sum(r["errors"] for r in decoders),
                    sum(r["damaged_answers"] for r in decoders),
                ]
            ],
        )
    )
    arguments = s.get("arguments", [])
    parts.append("\n## Property tests: any argument, per write\n")
    kinds = sorted({k for r in arguments for k in r} - {"vendor", "call", "examples"})
    parts.append(
        table(
            ["vendor", "call", "examples", *kinds],
            [
                [r["vendor"], r["call"], r["examples"], *(r.get(k, 0) for k in kinds)]
                for r in arguments
            ],
        )
    )

    parts.append("\n## 8 threads, one client; the rate limiter under that load\n")
    parts.append(
        table(
            [
                "vendor",
                "collection",
                "writes",
                "applied once",
                "duplicated",
                "requests",
                "time (s)",
                "configured rate",
                "sustained rate",
                "overall rate",
                "busiest second",
                "waited in limiter (s)",
            ],
            [
                [
                    r["vendor"],
                    r["collection"],
                    r["writes"],
                    r["writes_seen_once"],
                    r["duplicated"],
                    r["requests"],
                    r["seconds"],
                    r["configured_rate"],
                    r["sustained_rate"],
                    r["overall_rate"],
                    r["busiest_second"],
                    r["limiter_waited_seconds"],
                ]
                for r in s.get("concurrency", [])
            ],
        )
    )
    return "\n".join(parts) + "\n"


def main() -> int:
    """Run everything, print the tables, write them to benchmarks/results/."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="records per pull")
    parser.add_argument(
        "--examples", type=int, default=200, help="hypothesis examples per property"
    )
    parser.add_argument(
        "--drift-runs", type=int, default=30, help="random drift runs per case"
    )
    parser.add_argument("--seed", type=int, default=8, help="seed of the drift study")
    parser.add_argument(
        "--quick", action="store_true", help="CI sizes: 300 records, 25 examples"
    )
    args = parser.parse_args()
    if args.quick:
        args.size, args.examples, args.drift_runs = 300, 25, 4
    code, figures, seconds = run_suite(args.size, args.examples)
    started = time.perf_counter()
    drift = drift_study(args.drift_runs, args.seed)
    drift_seconds = time.perf_counter() - started
    meta = (
        f"    python benchmarks/reliability.py --size {args.size} "
        f"--examples {args.examples} --drift-runs {args.drift_runs}\n\n"
        f"{time.strftime('%Y-%m-%d')}; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; suite {seconds:.0f} s (exit code {code}), "
        f"drift study {drift_seconds:.0f} s"
    )
    text = render(figures, drift, meta)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reliability.md").write_text(text)
    (RESULTS / "reliability.json").write_text(
        json.dumps({"suite": figures, "drift_study": drift}, indent=2)
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
