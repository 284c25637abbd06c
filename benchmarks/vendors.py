"""Per-record CPU cost of a pull, for every vendor and collection, on full pages.

    python benchmarks/vendors.py                  # 2,000 records per collection
    python benchmarks/vendors.py --quick          # 200 records, one round (CI)
    python benchmarks/vendors.py --sandbox-pages  # the sandbox's sparse records
    python benchmarks/vendors.py --bench-server   # and ../shared/bench/perf.py

Each collection is pulled once from its sandbox emulator over HTTP while a
recording transport keeps the responses. The sandboxes leave out fields a vendor
sends only sometimes, so by default every record of the recorded answers is then
filled with every documented field of the vendor's native model, in the vendor's
own forms (``benchmarks/_full_pages.py``): the pages a real account sends. The
same pull is replayed from those pages in memory, best of N, so what is timed is
crmclients' own work and nothing else:
requests built and signed, retry and rate-limit bookkeeping, JSON decoding,
structuring into native models, mapping onto shared records, paging and dedupe.
The baseline, timed in the same run, is ``json.loads`` of the same response
bodies (what a hand-written loop pays before it has done anything with them).
Figures are per record; the ratio is the SDK against that baseline (lower is
cheaper). The Tactile row is the collection ``run.py`` benchmarks over HTTP.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

#: (vendor, collection): what each vendor's list pull is benchmarked on.
COLLECTIONS = (
    ("tactile", "opportunities"),
    ("opentaps", "activities"),
    ("opentaps", "tasks"),
    ("ivvy", "activities"),
    ("ivvy", "tasks"),
    ("administrate", "tasks"),
    ("administrate", "activities"),
    ("crmcom", "communications"),
    ("crmcom", "activities"),
)


class Recording:
    """A transport that sends through ``inner`` and keeps every response."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.responses: list[Any] = []

    def send(self, request: Any) -> Any:
        response = self.inner.send(request)
        self.responses.append(response)
        return response

    def close(self) -> None:
        self.inner.close()


class Replay:
    """A transport that answers with recorded responses, in the recorded order."""

    def __init__(self, responses: list[Any]) -> None:
        self.responses = responses
        self.position = 0

    def send(self, request: Any) -> Any:
        if self.position >= len(self.responses):
            raise RuntimeError(
                f"the replay sent more requests than recorded: {request.url}"
            )
        response = self.responses[self.position]
        self.position += 1
        return response

    def close(self) -> None:
        pass


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(
    vendor: str, collection: str, records: int, repeat: int, full: bool = True
) -> dict[str, Any]:
    """Record one pull of ``collection`` from the sandbox, then time its replay
    (from full-field pages unless ``full`` is false)."""
    import crmclients
    from crmclients.models import Ref, RefKind
    from crmclients.sandbox import Sandbox

    options: dict[str, Any] = {"contacts": 1} if vendor == "crmcom" else {}
    with Sandbox(vendor, records=records, **options) as sandbox:
        filters: dict[str, Any] = {}
        if vendor == "crmcom":
            contact = next(iter(sandbox.emulator.contacts))
            filters["related_to"] = Ref(RefKind.CONTACT, contact)
        with crmclients.connect(vendor, **sandbox.settings, rate_limit=None) as client:
            # The requestor's transport seam (private; a benchmark may use it).
            requestor = client.native._requestor
            listing = getattr(client, collection)

            def pull() -> int:
                return sum(1 for _ in listing.list(**filters))

            pull()  # logs in where the vendor needs it; warms generated code
            recording = Recording(requestor.transport)
            requestor.transport = recording
            count = pull()
            fields = 0.0
            if full:
                recording.responses, fields = _filled(
                    vendor, collection, recording.responses, client
                )
                requestor.transport = Replay(recording.responses)
                pull()  # warm the generated code on full records too

            def replay() -> None:
                requestor.transport = Replay(recording.responses)
                if pull() != count:
                    raise RuntimeError(
                        f"{vendor} {collection}: the replay lost records"
                    )

            replay()
            sdk = best(replay, repeat)
            requestor.transport = recording.inner

    bodies = [response.content for response in recording.responses]

    def decode() -> None:
        for body in bodies:
            if body:
                json.loads(body)

    baseline = best(decode, repeat)
    return {
        "vendor": vendor,
        "collection": collection,
        "records": count,
        "fields": fields,
        "requests": len(bodies),
        "sdk_us": sdk / count * 1e6,
        "json_us": baseline / count * 1e6,
    }


def _filled(
    vendor: str, collection: str, responses: list[Any], client: Any
) -> tuple[list[Any], float]:
    """The recorded responses with full-field records; average keys per record."""
    import attrs

    from benchmarks._full_pages import full_pages, native_class, records_in

    cls = native_class(vendor, collection)
    wire = client.native._wire

    def structure(payload: Any) -> Any:
        return wire.structure(payload, cls, keep_raw=False)

    bodies, _ = full_pages(
        vendor, collection, [r.content for r in responses], structure
    )
    keys = [
        len(record)
        for body in bodies
        if body
        for record in records_in(json.loads(body))
    ]
    filled = [
        attrs.evolve(response, content=body, headers=dict(response.headers))
        for response, body in zip(responses, bodies, strict=True)
    ]
    return filled, (sum(keys) / len(keys) if keys else 0.0)


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| vendor | collection | records | keys per record | requests "
        "| crmclients µs/record | json.loads µs/record | ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['vendor']} | {row['collection']} | {row['records']:,} "
            f"| {row['fields']:.0f} | {row['requests']} | {row['sdk_us']:.1f} "
            f"| {row['json_us']:.1f} | {row['sdk_us'] / row['json_us']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 records, one round")
    parser.add_argument(
        "--sandbox-pages",
        action="store_true",
        help="time the sandbox's own (sparse) records instead of full-field pages",
    )
    parser.add_argument(
        "--bench-server",
        action="store_true",
        help="also run ../shared/bench/perf.py (the Tactile figure over HTTP)",
    )
    args = parser.parse_args()
    if args.quick:
        args.records, args.repeat = 200, 1
    warnings.simplefilter("ignore")  # e.g. Administrate's retirement notice
    rows = [
        measure(
            vendor, collection, args.records, args.repeat, full=not args.sandbox_pages
        )
        for vendor, collection in COLLECTIONS
    ]
    text = table(rows)
    if args.bench_server:
        text += "\n\n" + bench_server()
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "vendors.md").write_text(
        f"    python benchmarks/vendors.py {' '.join(sys.argv[1:])}\n\n{text}\n"
    )
    (results / "vendors.json").write_text(json.dumps(rows, indent=2) + "\n")


def bench_server() -> str:
    """``../shared/bench/perf.py``'s output: the SDK's Tactile pull against a raw
    requests loop over HTTP, on the independent bench server."""
    import subprocess

    perf = ROOT.parent / "shared" / "bench" / "perf.py"
    if not perf.is_file():
        return f"(no bench server at {perf})"
    answer = subprocess.run(
        [sys.executable, str(perf)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return "    python ../shared/bench/perf.py\n\n" + "\n".join(
        f"    {line}" for line in answer.stdout.strip().splitlines()
    )


if __name__ == "__main__":
    main()
