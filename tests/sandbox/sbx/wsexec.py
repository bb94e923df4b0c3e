"""pods/exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io): the
command runs as the pod's user, in its environment and working directory
(so `patronictl list` finds the pod's Patroni config), and dies with the pod.

Channels: 0 stdin, 1 stdout, 2 stderr, 3 status (a metav1.Status with the
exit code), 255 close (v5 only).  `tty=true` gets pipes, not a terminal."""

import base64
import hashlib
import json
import os
import struct
import subprocess
import threading
import urllib.parse

from . import procs, resources
from .errors import ApiError

PODS = resources.BY_KIND["Pod"]
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")


class Socket:
    def __init__(self, rfile, wfile):
        self.rfile, self.wfile = rfile, wfile
        self.lock = threading.Lock()

    def send(self, payload, opcode=2):
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        with self.lock:
            self.wfile.write(head + payload)
            self.wfile.flush()

    def channel(self, ch, data):
        self.send(bytes([ch]) + data)

    def recv(self):
        """(opcode, payload) of one message; None at EOF."""
        buf, op = b"", None
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return None
            b1, b2 = head
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.rfile.read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.rfile.read(8))[0]
            if n > (16 << 20):
                return None
            mask = self.rfile.read(4) if b2 & 0x80 else None
            data = self.rfile.read(n)
            if mask:
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
            if b1 & 0x0F:
                op = b1 & 0x0F
            buf += data
            if b1 & 0x80:
                return op, buf


def handle(h, res, ns, name, rest):
    pod = h.server.store.get(PODS, ns, name)
    kubelet = h.server.kubelet
    rt = kubelet.runtimes.get(pod["metadata"]["uid"])
    if rt is None or rt.proc is None or not procs.alive(rt.proc.pid) or not hasattr(rt, "env"):
        raise ApiError(400, "BadRequest", 'container postgresql is not valid for pod %s' % name)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query)
    argv = q.get("command") or []
    if not argv:
        raise ApiError(400, "BadRequest", "you must specify at least one command for the container")
    want_stdin = (q.get("stdin") or ["false"])[-1] in ("true", "1")
    if "websocket" not in (h.headers.get("Upgrade") or "").lower():
        raise ApiError(400, "BadRequest", "the sandbox speaks exec over WebSocket only (v5/v4.channel.k8s.io; kubectl 1.30 or later), not SPDY")
    offered = [p.strip() for p in (h.headers.get("Sec-WebSocket-Protocol") or "").split(",")]
    proto = next((p for p in PROTOCOLS if p in offered), None)
    if proto is None:
        raise ApiError(400, "BadRequest", "no supported exec subprotocol among %s (want %s)" %
                       (offered, ", ".join(PROTOCOLS)))
    key = h.headers.get("Sec-WebSocket-Key", "")
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    h.send_response(101, "Switching Protocols")
    h.send_header("Upgrade", "websocket")
    h.send_header("Connection", "Upgrade")
    h.send_header("Sec-WebSocket-Accept", accept)
    h.send_header("Sec-WebSocket-Protocol", proto)
    h.end_headers()
    h.wfile.flush()
    h.close_connection = True
    ws = Socket(h.rfile, h.wfile)
    try:
        p = procs.spawn(argv, rt.env, rt.root, subprocess.PIPE,
                        stdin=subprocess.PIPE if want_stdin else subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as e:
        status = {"metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
                  "message": 'failed to exec in container: exec: "%s": %s' % (argv[0], e.strerror)}
        ws.channel(3, json.dumps(status).encode())
        ws.send(b"\x03\xe8", opcode=8)
        return

    def pump(src, ch):
        for chunk in iter(lambda: src.read1(65536), b""):
            ws.channel(ch, chunk)

    outs = [threading.Thread(target=pump, args=(p.stdout, 1), daemon=True),
            threading.Thread(target=pump, args=(p.stderr, 2), daemon=True)]
    for t in outs:
        t.start()

    def reader():
        while True:
            msg = ws.recv()
            if msg is None or msg[0] == 8:
                break
            op, data = msg
            if op == 9:
                ws.send(data, opcode=10)
            elif op in (1, 2) and data:
                ch, body = data[0], data[1:]
                if ch == 0 and p.stdin:
                    try:
                        p.stdin.write(body)
                        p.stdin.flush()
                    except OSError:
                        pass
                elif ch == 255 and body[:1] == b"\x00" and p.stdin:
                    p.stdin.close()
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
    threading.Thread(target=reader, daemon=True).start()
    code = procs.wait_exit(p.pid, 3600)
    for t in outs:
        t.join(5)
    if code == 0:
        status = {"metadata": {}, "status": "Success"}
    else:
        code = code if code is not None and code > 0 else 128 + abs(code or 9)
        status = {"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
                  "message": "command terminated with non-zero exit code: error executing command %s, "
                             "exit code %d" % (json.dumps(argv), code),
                  "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
    try:
        ws.channel(3, json.dumps(status).encode())
        ws.send(b"\x03\xe8", opcode=8)
    except OSError:
        pass
