#!/bin/sh
# mkcerts.sh DIR - a throwaway CA, a server certificate for 127.0.0.1 and
# localhost, and a client certificate (CN=admin), all signed by the CA.
# Used by the kube client tests; never for anything real.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { openssl "$@" >/dev/null 2>&1; }
q req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=opsplan-test-ca
q req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > server.ext
q x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
q req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=admin
q x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
# a second CA that signed nothing: a client trusting it must refuse the server
q req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca
chmod 600 *.key
