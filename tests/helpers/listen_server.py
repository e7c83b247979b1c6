#!/usr/bin/python3
"""A client of the socket-activation protocol through the environment alone (no libsystemd),
as many Python services do: LISTEN_PID must be our pid, LISTEN_FDS sockets from fd 3 on,
LISTEN_FDNAMES their names.

Prints "listen: fds=N names=A,B pid=P", then serves: each accepted connection gets
"NAME PID\\n" and is closed. Exits 3 when the variables are missing or not for us.
With --bind HOST:PORT it binds its own socket instead (a program that ignores the
protocol), serving the same answer under the name "own"."""
import os
import selectors
import socket
import sys


def inherited():
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        sys.exit(f"LISTEN_PID={os.environ.get('LISTEN_PID')!r} is not our pid {os.getpid()}")
    count = int(os.environ["LISTEN_FDS"])
    names = os.environ.get("LISTEN_FDNAMES", ":".join(["unknown"] * count)).split(":")
    if len(names) != count:
        sys.exit(f"{count} fds but names {names}")
    return [(socket.socket(fileno=3 + i), names[i]) for i in range(count)]


def own(address):
    host, port = address.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(128)
    return [(s, "own")]


def main():
    try:
        sockets = own(sys.argv[2]) if sys.argv[1:2] == ["--bind"] else inherited()
    except SystemExit as e:
        print(e, file=sys.stderr)
        sys.exit(3)
    names = ",".join(name for _, name in sockets)
    print(f"listen: fds={len(sockets)} names={names} pid={os.getpid()}", flush=True)
    sel = selectors.DefaultSelector()
    for s, name in sockets:
        s.setblocking(True)
        sel.register(s, selectors.EVENT_READ, name)
    while True:
        for key, _ in sel.select():
            conn, _ = key.fileobj.accept()
            with conn:
                conn.sendall(f"{key.data} {os.getpid()}\n".encode())


main()
