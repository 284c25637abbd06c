"""Memory of one pull, measured in a fresh interpreter (called by run.py).

Modes: ``raw-list`` (a list of the raw dicts, requests + json), ``to-list`` and
``to-list-noraw`` (the SDK's ``to_list()``), ``stream`` (iterate and drop; peak).
Prints one JSON line: ``grew_mb`` (RSS after minus before, after a collection) and
``peak_grew_mb`` (peak RSS minus RSS before).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM to the current RSS
    except OSError:  # pragma: no cover - not Linux
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--mode",
        choices=("raw-list", "to-list", "to-list-noraw", "stream"),
        required=True,
    )
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()

    import requests

    import crmclients
    from crmclients.sandbox.tactile import TOKEN

    base = f"http://127.0.0.1:{args.port}"
    client = crmclients.connect("tactile", base_url=base, api_token=TOKEN)
    client.opportunities.list(page_size=100).first(1)  # warm up every code path
    session = requests.Session()
    session.get(
        f"{base}/opportunities",
        params={"limit": 100, "page": 1, "api_token": TOKEN},
        timeout=30,
    ).json()
    gc.collect()
    before = rss_mb()
    reset_peak()
    kept: object = None
    if args.mode == "raw-list":
        rows: list[object] = []
        number = 1
        while True:
            page = session.get(
                f"{base}/opportunities",
                params={"limit": 100, "page": number, "api_token": TOKEN},
                timeout=30,
            ).json()
            if not page["opportunities"]:
                break
            rows.extend(page["opportunities"])
            number += 1
        kept = rows
    elif args.mode in ("to-list", "to-list-noraw"):
        kept = client.opportunities.list(
            page_size=100, include_raw=args.mode == "to-list"
        ).to_list()
    else:
        for count, _ in enumerate(client.opportunities.list(page_size=100), start=1):
            if args.limit and count >= args.limit:
                break
    gc.collect()
    after = rss_mb()
    result = {
        "grew_mb": after - before,
        "peak_grew_mb": peak_mb() - before,
        "kept": len(kept) if isinstance(kept, list) else 0,
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
