#!/bin/sh
# exec-plugin.sh [fail|cert] - a client.authentication.k8s.io exec credential
# plugin for the tests: prints the token in $PLUGIN_DIR/plugin-token, counts
# its runs in $PLUGIN_DIR/plugin-runs, answers the apiVersion it was asked.
# "fail" prints a credential-looking line and exits 1 (must not leak);
# "cert" answers $PLUGIN_DIR/client.{crt,key} as a client certificate.
# Every run also chats on stderr with a refresh token, as real plugins do:
# opsplan must never pass that through.
d=${PLUGIN_DIR:?PLUGIN_DIR unset}
echo run >> "$d/plugin-runs"
echo "refreshing: refresh_token=rt-plugin-stderr-7b3c" >&2
if [ "${1:-}" = fail ]; then
	echo '{"status":{"token":"leaked-plugin-secret-999"}}'
	exit 1
fi
api=$(printf %s "$KUBERNETES_EXEC_INFO" | sed -n 's/.*"apiVersion":"\([^"]*\)".*/\1/p')
if [ "${1:-}" = cert ]; then   # a client certificate instead of a token
	json() { sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g' "$1"; }
	printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"%s\\n","clientKeyData":"%s\\n"}}\n' \
		"$api" "$(json "$d/client.crt")" "$(json "$d/client.key")"
	exit 0
fi
tok=$(cat "$d/plugin-token")
exp=${PLUGIN_EXPIRY:-2099-01-01T00:00:00Z}
[ ! -s "$d/plugin-expiry" ] || exp=$(cat "$d/plugin-expiry")   # a test changes it mid-run
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
	"$api" "$tok" "$exp"
