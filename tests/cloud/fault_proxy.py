#!/usr/bin/python3
"""A loopback HTTP proxy in front of an S3 server that misbehaves on purpose.

usage: fault_proxy.py UPSTREAM_PORT LISTEN_PORT [--fail 0.2] [--drop 0.1] [--slow 0.1] [--seed 1] [--log F]
A share of requests gets 500/503 (without reaching the server), a share has its
connection closed without an answer, and a share is answered after 0.5 s. Everything else
is forwarded to 127.0.0.1:UPSTREAM_PORT unchanged. Stops after --max-seconds.
"""
import argparse
import http.client
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

a = argparse.ArgumentParser()
a.add_argument("upstream", type=int)
a.add_argument("listen", type=int)
a.add_argument("--fail", type=float, default=0.2)
a.add_argument("--drop", type=float, default=0.1)
a.add_argument("--slow", type=float, default=0.1)
a.add_argument("--seed", type=int, default=1)
a.add_argument("--max-seconds", type=float, default=600)
a.add_argument("--log", help="append 'METHOD PATH' of every forwarded request to this file")
args = a.parse_args()
rng = random.Random(args.seed)
lock = threading.Lock()
stats = {"failed": 0, "dropped": 0, "slowed": 0, "forwarded": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            r = rng.random()
        if r < args.fail:
            with lock:
                stats["failed"] += 1
            msg = b"<Error><Code>InternalError</Code></Error>"
            self.send_response(rng.choice([500, 503]))
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        if r < args.fail + args.drop:
            with lock:
                stats["dropped"] += 1
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if r < args.fail + args.drop + args.slow:
            with lock:
                stats["slowed"] += 1
            time.sleep(0.5)
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write(f"{self.command} {self.path.split('?')[0]}\n")
        conn = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            # a HEAD answer's Content-Length is the object's size, passed on as it is
            if k.lower() not in ("transfer-encoding", "connection", "content-length") or (
                    self.command == "HEAD" and k.lower() == "content-length"):
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        with lock:
            stats["forwarded"] += 1

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", args.listen), Handler)
threading.Timer(args.max_seconds, server.shutdown).start()
server.serve_forever()
