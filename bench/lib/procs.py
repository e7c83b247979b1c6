#!/usr/bin/env python3
"""Process helpers (one python process instead of thousands of `cat`s at N = 10,000).
  procs.py tree PID... [--comm REGEX]   the pids and all their descendants (filtered by comm)
  procs.py mem PID...                   "RSS_KiB PSS_KiB" summed (smaps_rollup)
  procs.py cpu PID...                   utime+stime clock ticks summed
"""
import os, re, sys

def children(p):
    out = []
    try:
        for t in os.listdir(f"/proc/{p}/task"):
            try:
                out += open(f"/proc/{p}/task/{t}/children").read().split()
            except OSError:
                pass
    except OSError:
        pass
    return out

def comm(p):
    try:
        return open(f"/proc/{p}/comm").read().strip()
    except OSError:
        return ""

args = sys.argv[2:]
if sys.argv[1] == "tree":
    rx = None
    if "--comm" in args:
        i = args.index("--comm"); rx = re.compile(args[i + 1]); args = args[:i] + args[i + 2:]
    seen, done, todo = [], set(), list(args)   # a set: 20,000 processes at N = 10,000
    while todo:
        p = todo.pop()
        if p in done:
            continue
        done.add(p)
        seen.append(p)
        todo += children(p)
    print("\n".join(p for p in seen if os.path.exists(f"/proc/{p}") and (rx is None or rx.fullmatch(comm(p)))))
elif sys.argv[1] == "mem":
    r = s = 0
    for p in args:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Rss:"):
                    r += int(line.split()[1])
                elif line.startswith("Pss:"):
                    s += int(line.split()[1])
        except OSError:
            pass
    print(r, s)
elif sys.argv[1] == "cpu":
    t = 0
    for p in args:
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            t += int(f[11]) + int(f[12])
        except (OSError, IndexError):
            pass
    print(t)
