#!/usr/bin/env python3
"""Statistics helpers for the arbor benchmarks.
  stats.py restart TSFILE OUT      latencies (ms) death->next start per child id; prints "n p50 p99 max"
  stats.py latfile FILE [SCALE]    values in FILE (one per line, divided by SCALE); prints "n p50 p99 max"
  stats.py maxstart TSFILE         the largest S timestamp
"""
import sys

def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]

def summary(v):
    return f"{len(v)} {pct(v, 50):.3f} {pct(v, 99):.3f} {max(v) if v else float('nan'):.3f}"

def restart(ts, out):
    ev = {}
    for line in open(ts):
        p = line.split()
        if len(p) == 3:
            ev.setdefault(p[1], []).append((int(p[2]), p[0]))
    lat = []
    for e in ev.values():
        e.sort()
        for (t0, k0), (t1, k1) in zip(e, e[1:]):
            if k0 == "E" and k1 == "S":
                lat.append((t1 - t0) / 1e6)
    with open(out, "w") as f:
        f.write("\n".join(f"{x:.4f}" for x in lat) + "\n")
    print(summary(lat))

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "restart":
        restart(sys.argv[2], sys.argv[3])
    elif cmd == "latfile":
        scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
        print(summary([float(x) / scale for x in open(sys.argv[2]) if x.strip()]))
    elif cmd == "maxstart":
        print(max(int(l.split()[2]) for l in open(sys.argv[2]) if l.startswith("S")))
