#!/usr/bin/python3
"""kube_test_server.py - a tiny HTTPS stand-in for the Kubernetes API, for the
opsplan kube client tests.  Python stdlib only.  Not the sandbox: it serves
canned replies and faults so every recovery path of the client can be hit.

  kube_test_server.py DIR     (DIR from mkcerts.sh; writes DIR/port)

Two stalled servers listen beside it, for the client's timeouts:
DIR/port-stall-tcp accepts TCP and never answers (not even TLS);
DIR/port-stall-tls completes TLS and never answers the request.

Auth: a bearer token listed in DIR/tokens (re-read per request, so tests can
rotate it) or a client certificate with CN=admin signed by DIR/ca.crt.
Requests are counted per path (GET /_hits?path=...) and the query strings of
watches are kept (GET /_watches?ns=...), so tests can check what was sent.

Routes (namespace picks the scenario):
  /api/v1/namespaces/NS                     GET: 200 Namespace (any name; uid-NS)
  /api/v1/namespaces/ns1/pods/db-0          200 pod (/log: text)
  /api/v1/namespaces/ns1/pods/missing       404 Status NotFound
  /api/v1/namespaces/ns1/configmaps/cm      PUT: 409 Conflict; GET: 200
  /api/v1/namespaces/ns1/configmaps         POST: 201 echo (dryRun seen -> annotation)
  /fault/429/KEY?n=N                        N x 429 Retry-After: 1, then 200
  /fault/503/KEY?n=N                        N x 503, then 200 (any method)
  /fault/drop/KEY?n=N                       N x connection dropped, then 200
  /fault/slow?ms=MS                         200 after MS
  /fault/400/KEY                            400 Status BadRequest
  /fault/big                                a 65 MiB body
  .../namespaces/rbac/...                   403 as kubectl words it (names the permission)
  .../namespaces/rbac-bare/...              403 Status without a message
  /api/v1/namespaces/paged/pods             3 pages via limit/continue
  /api/v1/namespaces/{w1,w410,whttp410,wcut,wdead,wtimeout}/pods  list+watch
  .../pods/NAME:8008/proxy/PATH             Patroni-like replies (flaky: one API 503 first)
  .../pods/{db-0,db-v4}/exec (Upgrade)      channel.k8s.io exec (db-v4: v4 only;
                                            db-flaky: one 503 before the upgrade)
"""
import base64, hashlib, json, os, socket, ssl, struct, sys, threading, time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
LOCK = threading.Lock()
HITS = {}
WATCHES = {}
STATE = {}


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def pod(name, rv, phase="Pending"):
    return {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "ns", "resourceVersion": str(rv)},
            "status": {"phase": phase}}


def bump(key):
    with LOCK:
        HITS[key] = HITS.get(key, 0) + 1
        return HITS[key]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # headers and body go out as two writes: without this, Nagle plus the
        # client's delayed ACK adds 40 ms to every reply
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- helpers -------------------------------------------------------
    def send_json(self, code, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def authed(self):
        try:
            with open(os.path.join(DIR, "tokens")) as f:
                tokens = [t.strip() for t in f if t.strip()]
        except OSError:
            tokens = []
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in tokens:
            return True
        cert = self.connection.getpeercert()
        if cert:
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName" and v == "admin":
                        return True
        return False

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def chunk(self, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def cut_stream(self):
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    # -- dispatch -------------------------------------------------------
    def handle_any(self):
        u = urllib.parse.urlsplit(self.path)
        path, q = u.path, urllib.parse.parse_qs(u.query)
        self.q = q
        if path == "/_hits":
            with LOCK:
                return self.send_json(200, {"hits": HITS.get(q["path"][0], 0)})
        if path == "/_watches":
            with LOCK:
                return self.send_json(200, {"watches": WATCHES.get(q["ns"][0], [])})
        bump(self.command + " " + path)
        if not self.authed():
            self.body()
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        parts = path.strip("/").split("/")
        ns = parts[parts.index("namespaces") + 1] if "namespaces" in parts[:-1] else None
        if ns in ("rbac", "rbac-bare"):
            self.body()
            msg = ('%s "%s" is forbidden: User "alice" cannot get resource "%s" in API group "" '
                   'in the namespace "rbac"' % (parts[-2], parts[-1], parts[-2])) if ns == "rbac" else ""
            return self.send_json(403, status(403, "Forbidden", msg))
        if parts[0] == "fault":
            return self.fault(parts, q)
        if path.endswith("/exec") and self.headers.get("Upgrade", "").lower() == "websocket":
            return self.exec_ws(parts, q)
        if "proxy" in parts:
            return self.proxy(parts)
        if len(parts) >= 5 and parts[:3] == ["api", "v1", "namespaces"]:
            return self.core(parts, q)
        if len(parts) == 4 and parts[:3] == ["api", "v1", "namespaces"] and self.command == "GET":
            # the namespace itself (opsplan run's preflight): any name exists
            return self.send_json(200, {"kind": "Namespace", "apiVersion": "v1",
                                        "metadata": {"name": parts[3], "uid": "uid-" + parts[3]}})
        self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def fault(self, parts, q):
        kind = parts[1]
        key = "/".join(parts)
        n = int(q.get("n", ["0"])[0])
        self.body()
        if kind == "429":
            k = bump("fault " + key)
            if k <= n:
                return self.send_json(429, status(429, "TooManyRequests", "too many requests"),
                                      {"Retry-After": "1"})
            return self.send_json(200, {"ok": True, "attempts": k})
        if kind == "503":
            k = bump("fault " + key)
            if k <= n:
                return self.send_json(503, status(503, "ServiceUnavailable", "etcd is down"))
            return self.send_json(200, {"ok": True, "attempts": k})
        if kind == "drop":
            k = bump("fault " + key)
            if k <= n:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            return self.send_json(200, {"ok": True, "attempts": k})
        if kind == "slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000)
            return self.send_json(200, {"ok": True})
        if kind == "400":
            bump("fault " + key)
            return self.send_json(400, status(400, "BadRequest", "the request is malformed"))
        if kind == "big":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            total = 65 << 20
            self.send_header("Content-Length", str(total))
            self.end_headers()
            block = b" " * (1 << 20)
            try:
                for _ in range(65):
                    self.wfile.write(block)
            except OSError:
                pass
            return
        self.send_json(404, status(404, "NotFound", "no such fault"))

    # -- core API ------------------------------------------------------
    def core(self, parts, q):
        ns, res = parts[3], parts[4]
        name = parts[5] if len(parts) > 5 else None
        body = self.body()
        if ns == "ns1" and res == "pods" and name == "db-0" and parts[-1] == "log":
            txt = b"line one\nline two\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(txt)))
            self.end_headers()
            return self.wfile.write(txt)
        if ns == "ns1" and res == "pods" and name == "db-0":
            return self.send_json(200, pod("db-0", 5, "Running"))
        if ns == "ns1" and res == "pods" and name:
            return self.send_json(404, status(404, "NotFound", 'pods "%s" not found' % name))
        if ns == "ns1" and res == "configmaps" and name == "cm":
            if self.command == "PUT":
                return self.send_json(409, status(409, "Conflict",
                    'Operation cannot be fulfilled on configmaps "cm": the object has been '
                    'modified; please apply your changes to the latest version and try again'))
            if self.command == "PATCH":
                obj = {"kind": "ConfigMap", "metadata": {"name": "cm"},
                       "contentType": self.headers.get("Content-Type"),
                       "patch": json.loads(body or b"null")}
                return self.send_json(200, obj)
            return self.send_json(200, {"kind": "ConfigMap", "metadata": {"name": "cm"}})
        if ns == "ns1" and res == "configmaps" and self.command == "POST":
            obj = json.loads(body)
            obj.setdefault("metadata", {})["annotations"] = {"dryRun": ",".join(q.get("dryRun", []))}
            return self.send_json(201, obj)
        if ns == "paged" and res == "pods":
            page = int(q.get("continue", ["0"])[0])
            meta = {"resourceVersion": str(100 + page)}
            if page < 2:
                meta["continue"] = str(page + 1)
            items = [pod("p%d-%d" % (page, i), 100 + page) for i in range(2)]
            return self.send_json(200, {"kind": "PodList", "metadata": meta, "items": items})
        if res == "pods" and name is None:
            return self.watch_scenario(ns, q)
        self.send_json(404, status(404, "NotFound", "%s not found" % res))

    def watch_scenario(self, ns, q):
        watching = q.get("watch", ["0"])[0] in ("1", "true")
        rv = q.get("resourceVersion", [""])[0]
        if not watching:
            k = bump("list " + ns)
            if ns == "wdead":
                phase = "Running" if k >= 3 else "Pending"
                return self.send_json(200, {"kind": "PodList", "metadata": {"resourceVersion": "50"},
                                            "items": [pod("db-1", 50, phase)]})
            if ns in ("w410", "whttp410") and k >= 2:
                return self.send_json(200, {"kind": "PodList", "metadata": {"resourceVersion": "20"},
                                            "items": [pod("db-0", 20)]})
            return self.send_json(200, {"kind": "PodList", "metadata": {"resourceVersion": "10"},
                                        "items": [pod("db-0", 10)]})
        with LOCK:
            WATCHES.setdefault(ns, []).append(
                {"rv": rv, "bookmarks": q.get("allowWatchBookmarks", [""])[0],
                 "timeoutSeconds": q.get("timeoutSeconds", [""])[0]})
        k = bump("watch " + ns)
        if ns == "wdead":
            return self.send_json(500, status(500, "InternalError", "watch is broken"))
        if ns == "whttp410" and rv == "10":
            return self.send_json(410, status(410, "Expired", "too old resource version: 10 (20)"))
        self.start_stream()
        if ns == "w1":
            self.chunk({"type": "ADDED", "object": pod("db-1", 11)})
            self.chunk({"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": "12"}}})
            # one event split across two chunks: the client must reassemble
            data = (json.dumps({"type": "MODIFIED", "object": pod("db-1", 13, "Running")}) + "\n").encode()
            for part in (data[:20], data[20:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(0.05)
            time.sleep(2)
            return self.end_stream()
        if ns in ("w410", "whttp410"):
            if rv == "10":
                self.chunk({"type": "ERROR", "object": status(410, "Expired", "too old resource version: 10 (20)")})
                return self.end_stream()
            self.chunk({"type": "MODIFIED", "object": pod("db-0", 21, "Running")})
            time.sleep(2)
            return self.end_stream()
        if ns == "wcut":
            if k == 1:
                self.chunk({"type": "ADDED", "object": pod("db-1", 11)})
                return self.cut_stream()
            if rv != "11":
                self.chunk({"type": "ERROR", "object": status(410, "Expired", "wrong rv %s" % rv)})
                return self.end_stream()
            self.chunk({"type": "MODIFIED", "object": pod("db-1", 12, "Running")})
            time.sleep(2)
            return self.end_stream()
        if ns == "wtimeout":
            end = time.time() + min(int(q.get("timeoutSeconds", ["5"])[0]), 5)
            n = 30
            while time.time() < end:
                n += 1
                self.chunk({"type": "BOOKMARK", "object": {"kind": "Pod", "metadata": {"resourceVersion": str(n)}}})
                time.sleep(0.3)
            return self.end_stream()
        self.end_stream()

    # -- pod proxy (Patroni) -------------------------------------------
    def proxy(self, parts):
        self.body()
        podport = parts[5]
        rest = "/".join(parts[parts.index("proxy") + 1:])
        if podport == "flaky:8008" and bump("proxy flaky") == 1:
            return self.send_json(503, status(503, "ServiceUnavailable", "apiserver is busy"))
        if podport == "flaky:8008":
            return self.send_json(200, {"role": "replica"})
        if podport == "gone:8008":
            return self.send_json(404, status(404, "NotFound", 'pods "gone" not found'))
        if rest == "patroni":
            return self.send_json(200, {"role": "master" if podport == "db-0:8008" else "replica",
                                        "server_version": 150004})
        if rest == "primary":
            code = 200 if podport == "db-0:8008" else 503
            return self.send_json(code, {"role": "master" if code == 200 else "replica"})
        if rest == "switchover" and self.command == "POST":
            txt = b"Successfully switched over to \"db-1\""
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(txt)))
            self.end_headers()
            return self.wfile.write(txt)
        self.send_json(404, {"error": "no such patroni endpoint"})

    # -- exec over WebSocket -------------------------------------------
    def ws_send(self, op, payload):
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | op, n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | op, 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | op, 127, n)
        self.wfile.write(hdr + payload)
        self.wfile.flush()

    def ws_recv(self):
        h = self.rfile.read(2)
        if len(h) < 2:
            return None, None, False
        op, n, masked = h[0] & 15, h[1] & 127, bool(h[1] & 128)
        if n == 126:
            n = struct.unpack("!H", self.rfile.read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.rfile.read(8))[0]
        key = self.rfile.read(4) if masked else b"\0\0\0\0"
        data = bytes(b ^ key[i % 4] for i, b in enumerate(self.rfile.read(n)))
        return op, data, masked

    def exec_ws(self, parts, q):
        name = parts[5]
        if name == "db-flaky" and bump("exec flaky") == 1:
            return self.send_json(503, status(503, "ServiceUnavailable", "kubelet is busy"))
        if name not in ("db-0", "db-v4", "db-flaky"):
            return self.send_json(404, status(404, "NotFound", 'pods "%s" not found' % name))
        offered = [p.strip() for p in self.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        # db-v4 plays an older kubelet that only speaks v4
        v5 = "v5.channel.k8s.io" in offered and name != "db-v4"
        proto = "v5.channel.k8s.io" if v5 else "v4.channel.k8s.io"
        if "v4.channel.k8s.io" not in offered and proto not in offered:
            return self.send_json(400, status(400, "BadRequest", "no supported subprotocol"))
        key = self.headers["Sec-WebSocket-Key"]
        acc = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", acc.decode())
        self.send_header("Sec-WebSocket-Protocol", proto)
        self.end_headers()
        self.wfile.flush()
        cmd = q.get("command", [])
        for ch in (1, 2, 3):       # kubelet opens each channel with an empty message
            self.ws_send(2, bytes([ch]))
        self.ws_send(2, b"\x01" + ("argv=%s proto=%s\n" % (json.dumps(cmd), proto)).encode())
        self.ws_send(9, b"are-you-there")
        op, data, masked = self.ws_recv()
        pong = "pong-ok" if op == 10 and data == b"are-you-there" and masked else "pong-bad"
        self.ws_send(2, b"\x01" + pong.encode() + b"\n")
        if "big" in cmd:
            self.ws_send(2, b"\x01" + b"x" * 70000)
        # a fragmented stderr message: text in two frames
        self.wfile.write(struct.pack("!BB", 0x02, 4) + b"\x02war")
        self.wfile.write(struct.pack("!BB", 0x80, 2) + b"n\n")
        self.wfile.flush()
        if "fail" in cmd:
            st = {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
                  "message": "command terminated with non-zero exit code",
                  "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}}
        else:
            st = {"metadata": {}, "status": "Success"}
        self.ws_send(2, b"\x03" + json.dumps(st).encode())
        self.ws_send(8, struct.pack("!H", 1000))
        self.ws_recv()             # the client's close
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # clients cutting streams on purpose are not news


def write_port(name, port):
    tmp = os.path.join(DIR, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, os.path.join(DIR, name))


def stall(ctx):
    """Listen; accept every connection and never answer.  With ctx, the TLS
    handshake is completed first (then the request is read and ignored)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    held = []

    def hold(conn):
        try:
            if ctx:
                conn = ctx.wrap_socket(conn, server_side=True)
            held.append(conn)
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def loop():
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=hold, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return ls.getsockname()[1]


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "server.crt"), os.path.join(DIR, "server.key"))
    ctx.load_verify_locations(os.path.join(DIR, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = Server(("127.0.0.1", 0), H)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    write_port("port-stall-tcp", stall(None))
    write_port("port-stall-tls", stall(ctx))
    write_port("port", srv.server_address[1])   # last: the tests wait for it
    srv.serve_forever()


if __name__ == "__main__":
    main()
