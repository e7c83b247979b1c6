#!/usr/bin/env python3
"""Listens on N consecutive TCP ports (one process, one selector) and records when each
port is connected to: the other end of bench/health.sh's N tcp health checks.

usage: probe_listener.py BASE_PORT N READY_FILE OUT_FILE
On SIGTERM it writes OUT_FILE: {"probes": total, "max_gap_ms": ..., "late": [...]} where
a gap is the time between two probes of one port."""
import json, selectors, signal, socket, sys, time

base, n, ready_file, out_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
sel = selectors.DefaultSelector()
for port in range(base, base + n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, port)
seen = {}  # port -> [monotonic seconds]
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
open(ready_file, "w").close()
while running:
    for key, _ in sel.select(timeout=0.5):
        try:
            conn, _ = key.fileobj.accept()
            conn.close()
        except BlockingIOError:
            continue
        seen.setdefault(key.data, []).append(time.monotonic())
gaps = [b - a for times in seen.values() for a, b in zip(times, times[1:])]
json.dump({"ports": len(seen), "probes": sum(len(t) for t in seen.values()),
           "max_gap_ms": round(max(gaps) * 1000, 1) if gaps else None,
           "mean_gap_ms": round(sum(gaps) / len(gaps) * 1000, 1) if gaps else None},
          open(out_file, "w"))
