#!/usr/bin/python3
"""hook_server.py DIR - a local webhook for suite 49: HTTP on 127.0.0.1, a
free port written to DIR/port.  Every POST is appended to DIR/posts.jsonl
({"path", "content_type", "body"}) and answered 200 {"ok": true} (a POST to
/flaky/KEY: 503 the first time); a GET of
/flaky/KEY answers 503 the first time and 200 {"n": 2} after; /status/N
answers N.  Python stdlib only."""
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
LOCK = threading.Lock()
SEEN = {}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with LOCK, open(os.path.join(DIR, "posts.jsonl"), "a") as f:
            f.write(json.dumps({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                "body": body}) + "\n")
        if self.path.startswith("/flaky/"):
            with LOCK:
                SEEN["POST " + self.path] = SEEN.get("POST " + self.path, 0) + 1
                if SEEN["POST " + self.path] == 1:
                    return self.reply(503, {"error": "try again"})
        self.reply(200, {"ok": True})

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if parts[0] == "flaky":
            with LOCK:
                SEEN[self.path] = SEEN.get(self.path, 0) + 1
                k = SEEN[self.path]
            return self.reply(503 if k == 1 else 200, {"n": k})
        if parts[0] == "status":
            return self.reply(int(parts[1]), {"status": int(parts[1])})
        self.reply(404, {"error": "no such path"})


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
