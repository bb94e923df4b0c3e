#!/usr/bin/python3
"""pods/exec at the wire level, as a non-kubectl client (the opsplan
executor) speaks it: WebSocket upgrade with v5 and with v4 only, stdout and
stderr channels, the channel-3 Status with the exit code, v5 stdin close.

  exec_check.py SANDBOX_DIR POD"""

import base64
import json
import os
import socket
import ssl
import struct
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from sbx.client import Client  # noqa: E402

failed = 0


def check(desc, cond, detail=""):
    global failed
    print("%s %s%s" % ("ok  " if cond else "FAIL", desc, "" if cond else ": %s" % (detail,)))
    failed += 0 if cond else 1


def frame(payload, opcode=2):
    mask = os.urandom(4)
    n = len(payload)
    head = struct.pack("!BB", 0x80 | opcode, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x80 | opcode, 0xFE, n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def run(c, pod, argv, protocols, stdin=None):
    u = urllib.parse.urlsplit(c.server)
    q = urllib.parse.urlencode([("command", a) for a in argv] + [("stdout", "true"), ("stderr", "true")] +
                               ([("stdin", "true")] if stdin is not None else []))
    path = c.ns_path("pods", pod + "/exec") + "?" + q
    raw = socket.create_connection((u.hostname, u.port), timeout=20)
    s = c.ctx.wrap_socket(raw, server_hostname=u.hostname)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: Upgrade\r\n"
               "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Protocol: %s\r\n\r\n" % (path, u.netloc, c.token, key, ", ".join(protocols))).encode())
    f = s.makefile("rb")
    status_line = f.readline().decode()
    headers = {}
    while True:
        line = f.readline().decode().strip()
        if not line:
            break
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if " 101 " not in status_line:
        s.close()
        return status_line, headers, {}
    if stdin is not None:
        s.sendall(frame(b"\x00" + stdin))
        if headers.get("sec-websocket-protocol") == "v5.channel.k8s.io":
            s.sendall(frame(b"\xff\x00"))
    out = {1: b"", 2: b"", 3: b""}
    while True:
        h = f.read(2)
        if len(h) < 2:
            break
        op, n = h[0] & 0x0F, h[1] & 0x7F
        if n == 126:
            n = struct.unpack("!H", f.read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", f.read(8))[0]
        data = f.read(n)
        if op == 8:
            break
        if data:
            out[data[0]] = out.get(data[0], b"") + data[1:]
    s.close()
    return status_line, headers, out


def main():
    st = json.load(open(os.path.join(sys.argv[1], "state.json")))
    c = Client(st["kubeconfig"])
    pod = sys.argv[2]
    line, h, out = run(c, pod, ["sh", "-c", "echo out; echo err >&2; exit 4"], ["v5.channel.k8s.io",
                                                                                "v4.channel.k8s.io"])
    check("upgrade answers 101 with v5.channel.k8s.io", " 101 " in line and
          h.get("sec-websocket-protocol") == "v5.channel.k8s.io", (line, h))
    check("stdout on channel 1, stderr on channel 2", out[1] == b"out\n" and out[2] == b"err\n", out)
    st3 = json.loads(out[3] or b"{}")
    check("channel 3: Failure NonZeroExitCode with ExitCode cause 4",
          st3.get("reason") == "NonZeroExitCode" and st3["details"]["causes"][0] == {"reason": "ExitCode",
                                                                                   "message": "4"}, st3)
    line, h, out = run(c, pod, ["patronictl", "version"], ["v4.channel.k8s.io"])
    check("v4 only: chosen, patronictl version runs, Success status",
          h.get("sec-websocket-protocol") == "v4.channel.k8s.io" and b"3.0.2" in out[1]
          and json.loads(out[3]).get("status") == "Success", (h, out))
    line, h, out = run(c, pod, ["cat"], ["v5.channel.k8s.io"], stdin=b"piped")
    check("v5 stdin then close (channel 255) ends cat", out[1] == b"piped", out)
    line, h, out = run(c, pod, ["true"], ["v3.channel.k8s.io"])
    check("no supported subprotocol -> 400, no upgrade", " 400 " in line, line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
