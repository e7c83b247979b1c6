#!/usr/bin/env python3
"""The demo's API: HTTP on 127.0.0.1:8000, behind nginx. Tells arbord it is ready
(sd_notify READY=1 on $NOTIFY_SOCKET, the tree's "ready": {"notify": true}) once it
listens, so nginx starts only after it."""
import http.server
import json
import os
import socket
import time


def notify(state: str) -> None:
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(state.encode(), address)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "pid": os.getpid(), "time": time.time()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 8000), Handler)
notify("READY=1\nSTATUS=listening on 127.0.0.1:8000")
server.serve_forever()
