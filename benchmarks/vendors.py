"""Per-record CPU cost of a pull, for every vendor and collection.

    python benchmarks/vendors.py            # 2,000 records per collection
    python benchmarks/vendors.py --quick    # 200 records, one round (CI)

Each collection is pulled once from its sandbox emulator over HTTP while a
recording transport keeps the responses; the same pull is then replayed from
memory, best of N, so what is timed is crmclients' own work and nothing else:
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


def measure(vendor: str, collection: str, records: int, repeat: int) -> dict[str, Any]:
    """Record one pull of ``collection`` from the sandbox, then time its replay."""
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
        "requests": len(bodies),
        "sdk_us": sdk / count * 1e6,
        "json_us": baseline / count * 1e6,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| vendor | collection | records | requests | crmclients µs/record "
        "| json.loads µs/record | ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['vendor']} | {row['collection']} | {row['records']:,} "
            f"| {row['requests']} | {row['sdk_us']:.1f} | {row['json_us']:.1f} "
            f"| {row['sdk_us'] / row['json_us']:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 records, one round")
    args = parser.parse_args()
    if args.quick:
        args.records, args.repeat = 200, 1
    warnings.simplefilter("ignore")  # e.g. Administrate's retirement notice
    rows = [
        measure(vendor, collection, args.records, args.repeat)
        for vendor, collection in COLLECTIONS
    ]
    text = table(rows)
    print(text)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "vendors.md").write_text(
        f"    python benchmarks/vendors.py {' '.join(sys.argv[1:])}\n\n{text}\n"
    )
    (results / "vendors.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
