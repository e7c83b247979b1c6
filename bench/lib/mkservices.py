#!/usr/bin/env python3
"""Create N service directories for runit/s6/daemontools: DIR/c<i>/run -> CHILD, DIR/c<i>/bench-args.
Usage: mkservices.py ROOT N TEMPLATE CHILD [GROUP]  (GROUP: put c<i> under ROOT/g<i//GROUP>)"""
import os, sys
root, n, tmpl, child = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
group = int(sys.argv[5]) if len(sys.argv) > 5 else 0
for i in range(n):
    base = os.path.join(root, f"g{i // group}") if group else root
    s = os.path.join(base, f"c{i}")
    os.makedirs(s, exist_ok=True)
    os.symlink(child, os.path.join(s, "run"))
    with open(os.path.join(s, "bench-args"), "w") as f:
        f.write(tmpl.replace("{i}", str(i)) + "\n")
