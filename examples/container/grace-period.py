#!/usr/bin/env python3
"""Prints the terminationGracePeriodSeconds (or `docker stop -t` / `--stop-timeout`) that
lets arbord stop a tree in order before the runtime SIGKILLs the container.

    python3 grace-period.py tree.json [--margin SECONDS]   # default margin 5

The longest stop (docs/CONTAINERS.md, "Grace period"): a supervisor stops its children one
at a time in reverse order, each worker taking at most its `shutdown` (default 5000 ms;
then SIGKILL, which is immediate; "brutal_kill" is 0), so a supervisor takes the SUM of its
children's longest stops; a dynamic supervisor stops its children all at once, so it takes
its template's `shutdown`. A worker with "shutdown": "infinity" has no bound: an error here.
"""
import json
import math
import re
import sys


def strip_comments(text: str) -> str:
    # arbor's config allows // and /* */ comments outside strings.
    pattern = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.S)
    return pattern.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)


def worker_ms(spec: dict, where: str) -> int:
    shutdown = spec.get("shutdown", 5000)
    if shutdown == "brutal_kill":
        return 0
    if shutdown == "infinity":
        sys.exit(f"{where}: shutdown is infinity: no grace period is long enough")
    return int(shutdown)


def longest_stop_ms(spec: dict, where: str, root: bool = False) -> int:
    kind = "supervisor" if root else spec.get("type", "worker")
    if kind == "worker":
        return worker_ms(spec, where)
    if kind == "dynamic_supervisor":
        return worker_ms(spec.get("template", {}), where + "/template")
    return sum(longest_stop_ms(c, f"{where}/{c.get('id', '?')}") for c in spec.get("children", []))


def main() -> None:
    args = sys.argv[1:]
    margin = 5
    if "--margin" in args:
        i = args.index("--margin")
        margin = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        tree = json.loads(strip_comments(f.read()))
    total_ms = longest_stop_ms(tree["root"], "/root", root=True)
    print(math.ceil(total_ms / 1000) + margin)


main()
