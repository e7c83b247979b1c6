#!/usr/bin/env python3
"""The demo's background worker: asks the API for work every few seconds. Under
rest_for_one after the API, so it is restarted whenever the API is. With --once it does
one round and exits 0 (the job of job.json)."""
import sys
import time
import urllib.request

while True:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/work", timeout=2) as reply:
            print("worker: got", reply.read().decode(), flush=True)
    except OSError as error:
        print("worker: API not answering:", error, flush=True)
    if "--once" in sys.argv:
        sys.exit(0)
    time.sleep(5)
