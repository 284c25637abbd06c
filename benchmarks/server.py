"""A fast benchmark server: Tactile-shaped pages pre-rendered, served with keep-alive.

Runs in its own process so the client being measured never shares a GIL with it.
Records come from the Tactile sandbox's generator (realistic names, money, dates,
refs); every page is rendered to bytes once at start-up, so serving a page costs
a dictionary lookup and a socket write. The optional latency is a sleep per request.

    python benchmarks/server.py --records 100000 --latency 0.02 --port 0
prints ``READY <port>`` when it listens.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from crmclients.sandbox.tactile import TOKEN, TactileEmulator


def render(records: int, page_size: int) -> dict[int, bytes]:
    """Every page of /opportunities, rendered once."""
    emulator = TactileEmulator(records=records, seed=1)
    rows = [
        emulator._public(r)
        for r in emulator.opportunities.values()
        if not r["archived"]
    ]
    pages = max(1, -(-len(rows) // page_size))
    rendered = {}
    for number in range(1, pages + 1):
        chunk = rows[(number - 1) * page_size : number * page_size]
        rendered[number] = json.dumps(
            {
                "status": "success",
                "opportunities": chunk,
                "cur_page": number,
                "num_pages": pages,
                "per_page": page_size,
                "total": len(rows),
            },
            separators=(",", ":"),
        ).encode()
    rendered[pages + 1] = json.dumps(
        {
            "status": "success",
            "opportunities": [],
            "cur_page": pages + 1,
            "num_pages": pages,
            "per_page": page_size,
            "total": len(rows),
        }
    ).encode()
    return rendered


def serve(records: int, page_size: int, latency: float, port: int) -> None:
    pages = render(records, page_size)
    empty = pages[max(pages)]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = (
            True  # headers and body are two writes: no 40 ms stalls
        )

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path != "/opportunities" or query.get("api_token") != [TOKEN]:
                body = b'{"status":"error","messages":{"403":"Failed to login"}}'
            else:
                limit = int(query.get("limit", ["30"])[0])
                if limit != page_size:
                    body = b'{"status":"error","messages":["the benchmark server serves one page size"]}'
                else:
                    body = pages.get(int(query.get("page", ["1"])[0]), empty)
            if latency:
                time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = (
            128  # must be set before listen(): 16 workers connect at once
        )

    server = Server(("127.0.0.1", port), Handler)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        serve(args.records, args.page_size, args.latency, args.port)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
