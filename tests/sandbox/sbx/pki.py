"""A CA and a server certificate for the API server (openssl CLI: the
standard library cannot make certificates)."""

import os
import subprocess


def make(dirpath, ip):
    """Writes ca.crt, ca.key, server.crt, server.key under dirpath; returns paths."""
    os.makedirs(dirpath, exist_ok=True)
    p = {n: os.path.join(dirpath, n) for n in ("ca.crt", "ca.key", "server.crt", "server.key", "server.csr",
                                               "san.cnf")}
    with open(p["san.cnf"], "w") as f:
        f.write("subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n"
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n" % ip)

    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    old = os.umask(0o077)
    try:
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", p["ca.key"], "-out", p["ca.crt"], "-days", "30", "-subj", "/CN=opsplan-sandbox-ca")
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", p["server.key"], "-out", p["server.csr"], "-subj", "/CN=kube-apiserver")
        run("x509", "-req", "-in", p["server.csr"], "-CA", p["ca.crt"], "-CAkey", p["ca.key"],
            "-CAcreateserial", "-out", p["server.crt"], "-days", "30", "-extfile", p["san.cnf"])
    finally:
        os.umask(old)
    os.chmod(p["ca.crt"], 0o644)
    return p
