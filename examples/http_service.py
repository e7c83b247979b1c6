#!/usr/bin/python3
"""A small HTTP service for examples/http-service.json: it takes its listening socket from
arbor (socket activation: fd 3, LISTEN_FDS, LISTEN_PID), or binds 127.0.0.1:8080 itself
when started by hand.

GET /       -> "hello from pid P"
GET /crash  -> the process dies at once (os.abort(): SIGABRT, no cleanup, no answer)

Crash it while a client loops on / and no request of the loop fails: arbord holds the
socket, so connections made while the service restarts wait in the backlog."""
import http.server
import os
import socket


def listening_socket():
    if os.environ.get("LISTEN_PID") == str(os.getpid()) and int(os.environ.get("LISTEN_FDS", "0")) >= 1:
        return socket.socket(fileno=3)  # family and type are read from the descriptor
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 8080))
    s.listen(128)
    return s


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/crash":
            os.abort()
        body = f"hello from pid {os.getpid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):  # one line per request on stderr, captured by arbor
        super().log_message(fmt, *args)


class Server(http.server.HTTPServer):
    def __init__(self, sock):
        super().__init__(sock.getsockname()[:2], Handler, bind_and_activate=False)
        self.socket.close()  # the one TCPServer made, unbound
        self.socket = sock  # already bound and listening


if __name__ == "__main__":
    sock = listening_socket()
    print(f"serving on {sock.getsockname()} (pid {os.getpid()})", flush=True)
    Server(sock).serve_forever()
