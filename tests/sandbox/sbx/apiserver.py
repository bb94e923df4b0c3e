"""The HTTPS API server: routing, auth, discovery, CRUD, watch, Status bodies.

Subresources and virtual resources (pod proxy/exec/log, build log,
instantiate, imagestreamtags) are registered by the modules that own them, so
this file stays about the wire protocol."""

import hmac
import http.server
import json
import socket
import socketserver
import ssl
import threading
import time
import urllib.parse

from . import errors, openapi, patch, resources, tables
from .errors import ApiError
from .selectors import match_fields, match_labels, parse_fields, parse_labels

MAX_BODY = 8 << 20
RETURN_DELETED = {"Pod", "Service", "Namespace", "PersistentVolumeClaim"}
BOOKMARK_EVERY = 5.0


class Faults:
    """Runtime-switchable failures (see `sandbox fault`).  Counts are
    decremented per request so a fault can be "the next N requests"."""

    OUTAGE_MODES = ("503", "drop")

    def __init__(self):
        self.lock = threading.Lock()
        self.state = {}
        self.outage = None   # {"mode", "until" (epoch), "end" (monotonic), "match", "method", "agent"}

    def set(self, changes):
        """Apply a /sandbox/faults body.  `outage: S` (with `outage_mode`)
        starts a time-based outage of S seconds scoped by the match/method/
        agent given in the same body (not by an earlier scope); `outage: null`
        or 0 ends it."""
        changes = dict(changes)
        with self.lock:
            if "outage" in changes or "outage_mode" in changes:
                secs, mode = changes.pop("outage", None), str(changes.pop("outage_mode", None) or "503")
                if mode not in self.OUTAGE_MODES:
                    raise errors.bad_request('outage_mode must be "503" or "drop", not "%s"' % mode)
                try:
                    secs = float(secs or 0)
                except (TypeError, ValueError):
                    raise errors.bad_request("outage must be a number of seconds")
                if secs > 0:
                    self.outage = {"mode": mode, "seconds": secs, "until": round(time.time() + secs, 3),
                                   "end": time.monotonic() + secs,
                                   **{k: changes[k] for k in ("match", "method", "agent") if changes.get(k)}}
                else:
                    self.outage = None
            for k, v in changes.items():
                if v in (None, 0, False, ""):
                    self.state.pop(k, None)
                else:
                    self.state[k] = v
            return self.view()

    def view(self):
        out = dict(self.state)
        o = self.outage
        if o is not None and time.monotonic() < o["end"]:
            out["outage"] = {k: v for k, v in o.items() if k != "end"}
            out["outage"]["left_s"] = round(o["end"] - time.monotonic(), 3)
        return out

    def outage_for(self, path, method, agent):
        """The mode ("503" or "drop") of the outage this request falls in, or None."""
        o = self.outage
        if o is None:
            return None
        if time.monotonic() >= o["end"]:
            with self.lock:
                if self.outage is o:
                    self.outage = None
            return None
        if o.get("match") and o["match"] not in path:
            return None
        if o.get("method") and o["method"].upper() != method:
            return None
        if o.get("agent") and o["agent"].lower() not in (agent or "").lower():
            return None
        return o["mode"]

    def take(self, name):
        """Consume one shot of a counted fault; True if it fires."""
        with self.lock:
            v = self.state.get(name)
            if not v:
                return False
            if isinstance(v, int) and v > 0 and v is not True:
                if v == 1:
                    self.state.pop(name)
                else:
                    self.state[name] = v - 1
            return True

    def get(self, name, default=None):
        with self.lock:
            return self.state.get(name, default)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, store, token, certfile, keyfile, log):
        self.store = store
        self.token = token
        self.log = log
        self.access = None       # file for the access log (logs/access.log), set by the control plane
        self.access_lock = threading.Lock()
        self.faults = Faults()
        self.subresources = {}   # (plural_group, sub) -> fn(handler, ns, name, rest, query)
        self.virtual = {}        # plural_group -> object with get/list/create/update/delete
        self.admit = {}          # plural_group -> fn(op, obj, old) -> obj (may raise ApiError)
        self.stopping = False
        super().__init__(addr, Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certfile, keyfile)
        ctx.set_alpn_protocols(["http/1.1"])
        self.ssl_ctx = ctx

    def get_request(self):
        sock, addr = self.socket.accept()
        # Headers and body go out in separate writes; with Nagle on, the body
        # waits for the client's delayed ACK (~40 ms a request).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-stream is normal (watch timeouts, kill_stream)

    def access_line(self, arrival, status, ms, method, path, agent):
        """One access-log line (see docs/sandbox.md): tab-separated, no
        credentials (headers are never logged; secret-looking query values
        are redacted)."""
        if self.access is None:
            return
        fields = ["%.3f" % arrival, str(status), "%d" % ms, method or "-", redact(path or "-"), agent or "-"]
        text = "\t".join(f.replace("\t", " ").replace("\n", " ").replace("\r", " ") for f in fields) + "\n"
        with self.access_lock:
            try:
                self.access.write(text)
            except (OSError, ValueError):
                pass


SECRET_PARAMS = ("token", "password", "passwd", "secret")


def redact(path):
    """The request target with the values of secret-looking query parameters
    (access_token=..., password=...) replaced by <redacted>."""
    if "?" not in path:
        return path
    base, query = path.split("?", 1)
    out = []
    for item in query.split("&"):
        k, eq, v = item.partition("=")
        if eq and any(w in urllib.parse.unquote_plus(k).lower() for w in SECRET_PARAMS):
            v = "<redacted>"
        out.append(k + eq + v)
    return base + "?" + "&".join(out)


def status_success(details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            **({"details": details} if details else {})}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "opsplan-sandbox"
    timeout = 300

    def log_message(self, fmt, *args):   # server-side errors only: requests go to the access log
        self.server.log("api %s %s" % (self.address_string(), fmt % args))

    def parse_request(self):
        # the request line has been read: this is the request's arrival time in the access log
        self.t_arrival, self.t_mono, self.access_logged = time.time(), time.monotonic(), False
        return super().parse_request()

    def log_request(self, code="-", size="-"):
        """Called by send_response: the access-log line (arrival time, status)."""
        self.access_done(getattr(code, "value", code))

    def access_done(self, status):
        if getattr(self, "access_logged", True):
            return
        self.access_logged = True
        self.server.access_line(self.t_arrival, status, (time.monotonic() - self.t_mono) * 1000,
                                self.command, self.path, self.headers.get("User-Agent") if self.headers else None)

    def drop_connection(self):
        """Close the connection without an answer (a dropped request)."""
        self.close_connection = True
        self.access_done("drop")
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def outage_mode(self):
        return self.server.faults.outage_for(self.path, self.command, self.headers.get("User-Agent"))

    def cut_by_outage(self):
        """For a stream (watch, log follow) in progress: True if an outage that
        covers it has begun, after cutting it (drop: no final chunk, the
        connection closed) or ending it (503: the final chunk)."""
        mode = self.outage_mode()
        if mode is None:
            return False
        self.close_connection = True
        if mode == "drop":
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        else:
            self.end_chunked()
        return True

    def setup(self):
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            pass
        super().setup()

    # -- plumbing --------------------------------------------------------------
    def send_json(self, code, body, headers=None):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_status(self, e):
        self.send_json(e.code, e.status(), e.headers)

    def start_chunked(self, content_type="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.close_connection = True

    def chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end_chunked(self):
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ApiError(413, "RequestEntityTooLarge", "request entity too large: limit is %d" % MAX_BODY)
        if n == 0 and "chunked" in (self.headers.get("Transfer-Encoding") or ""):
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    raise ApiError(413, "RequestEntityTooLarge", "request entity too large")
            return data
        return self.rfile.read(n) if n else b""

    def json_body(self, raw):
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as e:
            if (self.headers.get("Content-Type") or "").startswith("application/apply-patch+yaml"):
                raise ApiError(415, "UnsupportedMediaType", "the sandbox accepts apply patches in JSON only "
                               "(JSON is YAML)")
            raise errors.bad_request("error decoding request body: %s" % e)

    # -- entry points ------------------------------------------------------------
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def dispatch(self):
        trace = getattr(self.server, "trace", None)
        if trace is not None:   # first, so the time is the request's arrival (headers read)
            trace.request(self.command, self.path, self.headers.get("User-Agent"))
        url = urllib.parse.urlsplit(self.path)
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self.url_path = url.path
        try:
            self.raw_body = b""
            if self.command in ("POST", "PUT", "PATCH", "DELETE") and not self.is_upgrade():
                self.raw_body = self.read_body()
            if not url.path.startswith("/sandbox/"):
                mode = self.outage_mode()
                if mode == "drop":
                    return self.drop_connection()
                if mode == "503":
                    raise ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the "
                                   "request (outage)")
            if not self.authorized():
                raise ApiError(401, "Unauthorized", "Unauthorized")
            if self.apply_faults():
                return
            self.route(url.path)
        except ApiError as e:
            try:
                self.send_error_status(e)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:  # noqa: a bug must become a 500, never a hung client
            self.server.log("api internal error on %s %s: %r" % (self.command, url.path, e))
            import traceback
            self.server.log(traceback.format_exc())
            try:
                self.send_error_status(ApiError(500, "InternalError", "internal error: %r" % e))
            except OSError:
                pass
        finally:
            self.access_done("-")   # no answer was sent (the client went away first)

    def is_upgrade(self):
        return "upgrade" in (self.headers.get("Connection") or "").lower()

    def authorized(self):
        public = self.url_path in ("/version", "/healthz", "/readyz", "/livez")
        got = self.headers.get("Authorization") or ""
        ok = got.startswith("Bearer ") and hmac.compare_digest(got[7:].strip().encode(), self.server.token.encode())
        return ok or public

    def apply_faults(self):
        f = self.server.faults
        if self.url_path.startswith("/sandbox/"):
            return False
        # scoping, so that Patroni's own traffic does not use up a fault meant for one client
        if f.get("match") and f.get("match") not in self.path:
            return False
        if f.get("method") and f.get("method").upper() != self.command:
            return False
        if f.get("agent") and f.get("agent").lower() not in (self.headers.get("User-Agent") or "").lower():
            return False
        delay = f.get("latency_ms")
        if delay:
            time.sleep(int(delay) / 1000.0)
        if f.take("drop"):
            self.drop_connection()
            return True
        if f.take("error_5xx"):
            self.send_error_status(ApiError(int(f.get("error_code", 503) or 503), "ServiceUnavailable",
                                            "the server is currently unable to handle the request (fault)"))
            return True
        if f.take("throttle"):
            ra = str(f.get("retry_after", 1))
            self.send_error_status(ApiError(429, "TooManyRequests", "too many requests, please try again later",
                                            {"retryAfterSeconds": int(ra)}, {"Retry-After": ra}))
            return True
        return False

    # -- routing -------------------------------------------------------------------
    def route(self, path):
        parts = [p for p in path.split("/") if p]
        if path.startswith("/sandbox/"):
            return self.admin(parts[1:])
        if path in ("/healthz", "/readyz", "/livez"):
            return self.send_text(200, "ok")
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-sandbox",
                                        "gitCommit": "opsplan-sandbox", "gitTreeState": "clean",
                                        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.22",
                                        "compiler": "gc", "platform": "linux/amd64"})
        if parts[:1] == ["api"]:
            if len(parts) == 1:
                host = "%s:%d" % self.server.server_address[:2]
                return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                            "serverAddress": host}]})
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"]:
            if len(parts) == 1:
                return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                            "groups": [self.group_doc(g) for g in resources.GROUPS if g]})
            if len(parts) == 2:
                if parts[1] not in resources.GROUPS or not parts[1]:
                    raise ApiError(404, "NotFound", "the server could not find the requested resource")
                return self.send_json(200, self.group_doc(parts[1]))
            group, version, rest = parts[1], parts[2], parts[3:]
        elif path == "/openapi/v3":
            return self.send_json(200, openapi.root())
        elif path.startswith("/openapi/v3/"):
            doc = openapi.group_doc(path[len("/openapi/v3/"):])
            if doc is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return self.send_json(200, doc)
        elif path in ("/openapi/v2", "/swagger.json"):
            raise ApiError(404, "NotFound", "the sandbox serves no OpenAPI v2 document")
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if group not in resources.GROUPS or version != "v1":
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not rest:
            return self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                        "groupVersion": "%s/%s" % (group, version) if group else version,
                                        "resources": [d for r in resources.GROUPS[group] for d in r.discovery()]})
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            ns, rest = rest[1], rest[2:]
        res = resources.get(group, version, rest[0])
        if res is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if res.namespaced and ns is None and len(rest) > 1:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if not res.namespaced:
            ns = None
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        extra = "/".join(rest[3:])
        if name is None:
            return self.collection(res, ns)
        if sub and sub != "status" or (sub == "status" and res.plural_group() in self.server.virtual):
            fn = self.server.subresources.get((res.plural_group(), sub))
            if fn is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return fn(self, res, ns, name, extra)
        return self.item(res, ns, name, sub)

    def group_doc(self, g):
        gv = {"groupVersion": "%s/v1" % g, "version": "v1"}
        return {"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": [gv], "preferredVersion": gv}

    def send_text(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def admin(self, parts):
        if parts == ["faults"]:
            if self.command == "POST":
                body = self.json_body(self.raw_body) or {}
                state = self.server.faults.set(body)
                if "outage" in body:
                    o = state.get("outage")
                    self.server.log("faults: " + ("outage %(mode)s for %(seconds)ss until %(until).3f" % o +
                                                  "".join(" %s=%s" % (k, o[k]) for k in ("match", "method", "agent")
                                                          if k in o) if o else "outage ended"))
                    with self.server.store.cond:   # wake the watches, so that they are cut at once
                        self.server.store.cond.notify_all()
                if body.get("compact"):
                    self.server.store.compact()
                    state = self.server.faults.set({"compact": None})
                hook = self.server.subresources.get(("sandbox", "faults"))
                if hook:
                    hook(body)
                return self.send_json(200, state)
            return self.send_json(200, self.server.faults.view())
        raise ApiError(404, "NotFound", "no such sandbox admin endpoint")

    # -- collections -----------------------------------------------------------------
    def dry(self):
        d = self.query.get("dryRun")
        if d not in (None, "", "All"):
            raise errors.bad_request('unsupported dryRun value "%s": only "All"' % d)
        return d == "All"

    def backend(self, res):
        return self.server.virtual.get(res.plural_group())

    def selectors(self, res):
        return (parse_labels(self.query.get("labelSelector", "")),
                parse_fields(self.query.get("fieldSelector", ""), res.kind))

    def collection(self, res, ns):
        store = self.server.store
        if self.command in ("GET", "HEAD"):
            labels, fields = self.selectors(res)
            if self.query.get("watch") in ("true", "True", "1"):
                return self.watch(res, ns, labels, fields)
            be = self.backend(res)
            items, rv = be.list(ns, labels, fields) if be else store.list(res, ns, labels, fields)
            if tables.wants_table(self.headers.get("Accept")):
                return self.send_json(200, tables.table(res.kind, items, rv))
            return self.send_json(200, {"kind": res.kind + "List", "apiVersion": res.api_version,
                                        "metadata": {"resourceVersion": str(rv)}, "items": items})
        if self.command == "POST":
            obj = self.json_body(self.raw_body)
            if not isinstance(obj, dict):
                raise errors.bad_request("the request body must be an object")
            be = self.backend(res)
            if be:
                return self.send_json(201, be.create(ns, obj, self.dry()))
            obj = self.run_admit(res, "create", obj, None)
            return self.send_json(201, store.create(res, ns, obj, self.dry()))
        if self.command == "DELETE":
            labels, fields = self.selectors(res)
            items, _ = store.list(res, ns, labels, fields)
            opts = self.json_body(self.raw_body) or {}
            out = []
            for o in items:
                try:
                    out.append(store.delete(res, ns, o["metadata"]["name"], grace=self.grace(opts),
                                            dry=self.dry()))
                except ApiError:
                    pass
            return self.send_json(200, {"kind": res.kind + "List", "apiVersion": res.api_version,
                                        "metadata": {"resourceVersion": str(store.rv)}, "items": out})
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def run_admit(self, res, op, obj, old):
        fn = self.server.admit.get(res.plural_group())
        return fn(op, obj, old) if fn else obj

    def grace(self, opts):
        g = self.query.get("gracePeriodSeconds", opts.get("gracePeriodSeconds"))
        if g in (None, ""):
            return None
        try:
            return max(0, int(g))
        except ValueError:
            raise errors.bad_request('invalid gracePeriodSeconds "%s"' % g)

    # -- items -----------------------------------------------------------------------------
    def item(self, res, ns, name, sub):
        store = self.server.store
        be = self.backend(res)
        if self.command in ("GET", "HEAD"):
            obj = be.get(ns, name) if be else store.get(res, ns, name)
            if tables.wants_table(self.headers.get("Accept")):
                return self.send_json(200, tables.table(res.kind, [obj], store.rv))
            return self.send_json(200, obj)
        if self.command == "PUT":
            obj = self.json_body(self.raw_body)
            if not isinstance(obj, dict):
                raise errors.bad_request("the request body must be an object")
            if be:
                return self.send_json(200, be.update(ns, name, obj, self.dry()))
            old = store.get(res, ns, name)
            obj = self.run_admit(res, "update", obj, old)
            return self.send_json(200, store.update(res, ns, name, obj, self.dry(), sub))
        if self.command == "PATCH":
            body = self.json_body(self.raw_body)
            ct = self.headers.get("Content-Type")
            if (ct or "").startswith("application/apply-patch+yaml"):
                if not self.query.get("fieldManager"):
                    raise errors.invalid(res, name, "fieldManager: Required value: is required for apply patch")
                if store.try_get(res, ns, name) is None and not be:
                    obj = self.run_admit(res, "create", dict(body or {}), None)
                    obj.setdefault("metadata", {})["name"] = name
                    return self.send_json(201, store.create(res, ns, obj, self.dry()))
            if be:
                old = be.get(ns, name)
                return self.send_json(200, be.update(ns, name, patch.apply(ct, old, body), self.dry()))
            for _ in range(20):   # the patch is applied to the current object: retry on a race, not on a precondition
                old = store.get(res, ns, name)
                new = patch.apply(ct, old, body)
                if not isinstance(new, dict):
                    raise errors.bad_request("the patch must produce an object")
                want = (new.get("metadata") or {}).get("resourceVersion")
                if want is not None and str(want) != old["metadata"]["resourceVersion"]:
                    raise errors.conflict(res, name, "the object has been modified; please apply your changes "
                                          "to the latest version and try again")
                new.setdefault("metadata", {})["resourceVersion"] = old["metadata"]["resourceVersion"]
                new = self.run_admit(res, "update", new, old)
                try:
                    return self.send_json(200, store.update(res, ns, name, new, self.dry(), sub))
                except ApiError as e:
                    if e.code != 409 or want is not None:
                        raise
            raise errors.conflict(res, name, "too many concurrent writers")
        if self.command == "DELETE":
            opts = self.json_body(self.raw_body) or {}
            pre = opts.get("preconditions") or {}
            if be:
                return self.send_json(200, be.delete(ns, name, self.dry()))
            obj = store.delete(res, ns, name, uid=pre.get("uid"), rv=pre.get("resourceVersion"),
                               grace=self.grace(opts), dry=self.dry())
            if res.kind == "Namespace" and not self.dry():
                self.server.subresources.get(("namespaces", "finalize"), lambda n: None)(name)
            if res.kind in RETURN_DELETED or obj["metadata"].get("deletionTimestamp"):
                return self.send_json(200, obj)
            # like the registry's ReturnDeletedObject=false: a Status, not the object
            return self.send_json(200, status_success({"name": name, "group": res.group, "kind": res.plural,
                                                       "uid": obj["metadata"]["uid"]}))
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    # -- watch -------------------------------------------------------------------------------
    def watch(self, res, ns, labels, fields):
        store = self.server.store
        faults = self.server.faults
        timeout = self.query.get("timeoutSeconds")
        try:
            timeout = float(timeout) if timeout else 1800.0
        except ValueError:
            raise errors.bad_request('invalid timeoutSeconds "%s"' % timeout)
        deadline = time.monotonic() + timeout
        cut = faults.get("watch_cut_after")
        if cut:
            deadline = min(deadline, time.monotonic() + float(cut))
        bookmarks = self.query.get("allowWatchBookmarks") in ("true", "True", "1")
        want_table = tables.wants_table(self.headers.get("Accept"))
        rv_text = self.query.get("resourceVersion", "")
        try:
            rv = int(rv_text) if rv_text else 0
        except ValueError:
            raise errors.bad_request('invalid resourceVersion "%s"' % rv_text)
        initial = []
        if rv == 0:
            initial, rv = store.list(res, ns, labels, fields)
        elif rv < store.compacted:
            raise errors.gone("too old resource version: %d (%d)" % (rv, store.compacted))

        def matches(o):
            return o is not None and match_labels(labels, o["metadata"].get("labels")) and match_fields(fields, o)

        def send(type_, obj):
            if want_table and type_ != "BOOKMARK" and type_ != "ERROR":
                obj = tables.table(res.kind, [obj], obj["metadata"]["resourceVersion"])
            self.chunk(json.dumps({"type": type_, "object": obj}, separators=(",", ":")) + "\n")

        self.start_chunked()
        try:
            if faults.take("watch_410"):
                send("ERROR", errors.gone("too old resource version: %d (%d)" % (rv, store.rv)).status())
                return self.end_chunked()
            for o in initial:
                send("ADDED", o)
            last_bookmark = time.monotonic()
            while not self.server.stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.cut_by_outage():
                    return
                try:
                    evs, top = store.events_since(rv, min(left, 1.0))
                except ApiError as e:
                    send("ERROR", e.status())
                    break
                for ev in evs:
                    rv = ev.rv
                    if ev.res is not res or (ns is not None and ev.ns != ns):
                        continue
                    now_m, old_m = matches(ev.obj), matches(ev.old)
                    if ev.type == "MODIFIED" and now_m and not old_m:
                        send("ADDED", ev.obj)
                    elif ev.type == "MODIFIED" and old_m and not now_m:
                        gone = dict(ev.obj)
                        send("DELETED", gone)
                    elif now_m:
                        send(ev.type, ev.obj)
                rv = max(rv, top) if not evs else rv
                if bookmarks and time.monotonic() - last_bookmark >= BOOKMARK_EVERY:
                    send("BOOKMARK", {"kind": res.kind, "apiVersion": res.api_version,
                                      "metadata": {"resourceVersion": str(rv)}})
                    last_bookmark = time.monotonic()
            if faults.get("watch_cut_after"):
                self.close_connection = True
                return   # a cut stream ends without the terminating chunk
            self.end_chunked()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
