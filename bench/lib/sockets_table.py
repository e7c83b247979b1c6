#!/usr/bin/env python3
"""The Markdown section of bench/sockets.sh: held listening sockets under SIGKILLs.
Used by report.py (the full report) and by sockets.sh run alone:
    sockets_table.py RESULTS.jsonl   -> the section on stdout"""
import json, sys

NAMES = {
    "arbor": "arbor, `listen` (held socket)",
    "arbor-own": "arbor, server binds its own port",
    "supervisord": "supervisord, server binds its own port",
}


def section(rows):
    """rows: peer -> metric -> (value, note)"""
    out = ["## Held listening sockets under crashes\n"]
    note = next((m[1] for p in rows.values() for m in p.values() if m[1]), "").split(" (")[0]
    out.append(
        "A small HTTP server (`bench/src/httpd.c`) is SIGKILLed every 100 ms while `wrk` sends "
        "requests at a steady rate (16 connections, each waiting 8 ms after an answer, at most "
        "2,000 requests/s; every request is its own connection, `Connection: close`). With "
        "`listen` arbord holds the listening socket across the restarts and the server takes "
        "it as fd 3; otherwise the server binds its own port, and between a death and the next "
        f"bind the port is closed. `bench/sockets.sh` ({note}).\n")
    out.append("| supervisor | requests answered | refused (wrk: connect + write errors) | reset after accept "
               "(wrk: read errors) | timeouts | non-2xx | p50 ms | p99 ms | max ms | kills |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for peer in ("arbor", "arbor-own", "supervisord"):
        m = rows.get(peer)
        if not m:
            continue
        v = lambda k: m.get(k, (None, ""))[0]
        if isinstance(v("requests"), str):
            out.append(f"| {NAMES[peer]} | {v('requests')} | | | | | | | | |")
            continue
        f = lambda x: "—" if x is None else (f"{x:,}" if isinstance(x, int) else f"{x:.2f}")
        refused = (v("connect") or 0) + (v("write") or 0)
        out.append(f"| {NAMES[peer]} | {f(v('requests'))} | {f(refused)} | {f(v('read'))} | {f(v('timeout'))} | "
                   f"{f(v('status'))} | {f(v('p50_ms'))} | {f(v('p99_ms'))} | {f(v('max_ms'))} | {f(v('kills'))} |")
    out.append("\nA refused connection shows in wrk as a connect or a write error (on loopback the refusal "
               "comes back on the first write), and wrk retries at once, so the count is how many attempts found "
               "the port closed, not how many requests were lost. A reset after accept is a request an instance "
               "had accepted when it was killed (a new instance accepts the connections waiting in the backlog "
               "in one go, then answers them in turn). The server sets `TCP_DEFER_ACCEPT`, so a connection is "
               "accepted only with its request: one that waits to send stays in the backlog, which survives the "
               "kill only when arbord holds the socket. Latency percentiles are over answered requests; with a "
               "held socket the requests that come during a restart wait for the next instance: the p99.\n")
    return out


if __name__ == "__main__":
    rows = {}
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["bench"] == "sockets":
            rows.setdefault(r["peer"], {})[r["metric"]] = (r["value"], r["note"])
    print("\n".join(section(rows)))
