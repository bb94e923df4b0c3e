#!/usr/bin/env bash
# Builds, image streams, `oc tag`'s API calls and pod-level faults, with kubectl
# against a running sandbox: build_check.sh SANDBOX_DIR.  One line per check;
# exit 1 if any failed.  Leaves the cluster healthy (3 members).
set -u
DIR=$1
SB=$(dirname "$0")/sandbox
export KUBECONFIG=$DIR/kubeconfig
NS=demo
K=${KUBECTL:-kubectl}
B=/apis/build.openshift.io/v1/namespaces/$NS
I=/apis/image.openshift.io/v1/namespaces/$NS
fail=0
check() { local d=$1; shift; if "$@"; then echo "ok   $d"; else echo "FAIL $d"; fail=1; fi; }
digest_of() { $K get --raw "$I/imagestreamtags/$1" | jq -r .image.metadata.name; }

old=$(digest_of patroni-postgres:15-stable)
cat > "$DIR/br.json" <<JSON
{"kind":"BuildRequest","apiVersion":"build.openshift.io/v1","metadata":{"name":"patroni-postgres"},
 "dockerStrategyOptions":{"buildArgs":[{"name":"patroniv","value":"2.0.1"}]}}
JSON
build=$($K create --raw "$B/buildconfigs/patroni-postgres/instantiate" -f "$DIR/br.json" | jq -r .metadata.name)
check "instantiate creates build patroni-postgres-1" [ "$build" = patroni-postgres-1 ]
$K get --raw "$B/builds/$build/log?follow=true" > "$DIR/build.log"
check "the followed log has the default ARG line and the requested version" \
	sh -c "grep -q 'STEP 3: ARG patroniv=1.6.5' '$DIR/build.log' && grep -q '(from patroni\[kubernetes\]==2.0.1)' '$DIR/build.log'"
phase=$($K get --raw "$B/builds/$build" | jq -r .status.phase)
check "build ends Complete after the log ends (got $phase)" [ "$phase" = Complete ]
new=$(digest_of patroni-postgres:15-latest)
check "the build pushed a new digest to the output tag" [ -n "$new" -a "$new" != "$old" ]
check "the new image declares Patroni 2.0.1" [ "$($K get --raw "$I/imagestreamtags/patroni-postgres:15-latest" | \
	jq -r '.image.dockerImageMetadata.Config.Labels["io.opsplan.patroni-version"]')" = 2.0.1 ]
check "15-stable still points at the old image" [ "$(digest_of patroni-postgres:15-stable)" = "$old" ]

# oc tag patroni-postgres:15-latest patroni-postgres:15-stable: PUT, and POST when the tag is new
body="{\"kind\":\"ImageStreamTag\",\"apiVersion\":\"image.openshift.io/v1\",\"metadata\":{\"name\":\"patroni-postgres:15-stable\",\"namespace\":\"$NS\"},\"tag\":{\"name\":\"15-stable\",\"from\":{\"kind\":\"ImageStreamImage\",\"name\":\"patroni-postgres@$new\",\"namespace\":\"$NS\"}}}"
echo "$body" > "$DIR/istag.json"
$K replace --raw "$I/imagestreamtags/patroni-postgres:15-stable" -f "$DIR/istag.json" >/dev/null
check "oc tag (ImageStreamTag PUT) moves 15-stable to the new digest" [ "$(digest_of patroni-postgres:15-stable)" = "$new" ]
sed 's/15-stable/15-extra/g' "$DIR/istag.json" > "$DIR/istag2.json"
err=$($K replace --raw "$I/imagestreamtags/patroni-postgres:15-extra" -f "$DIR/istag2.json" 2>&1 >/dev/null)
check "PUT of a tag that does not exist is 404 NotFound" sh -c "echo '$err' | grep -q NotFound"
$K create --raw "$I/imagestreamtags" -f "$DIR/istag2.json" >/dev/null
check "POST fallback creates the new tag" [ "$(digest_of patroni-postgres:15-extra)" = "$new" ]

# image trigger on an OnDelete StatefulSet: the template follows the tag, no pod restarts
uids=$($K get pods -o jsonpath='{.items[*].metadata.uid}')
trig='[{"from":{"kind":"ImageStreamTag","name":"patroni-postgres:15-stable"},"fieldPath":"spec.template.spec.containers[?(@.name==\"postgresql\")].image"}]'
$K annotate sts patroni-001 "image.openshift.io/triggers=$trig" >/dev/null
for _ in $(seq 20); do
	img=$($K get sts patroni-001 -o jsonpath='{.spec.template.spec.containers[0].image}')
	case $img in *"@$new") break;; esac; sleep 0.25
done
check "image trigger: the StatefulSet template now names the new digest" sh -c "echo '$img' | grep -q '@$new'"
sleep 1
check "image trigger with OnDelete: no pod was restarted" [ "$($K get pods -o jsonpath='{.items[*].metadata.uid}')" = "$uids" ]
$K annotate sts patroni-001 image.openshift.io/triggers- >/dev/null

# a replica restarted now runs the new image (OnDelete): digest and declared version visible
R=$($K get pods -l role=replica -o jsonpath='{.items[0].metadata.name}')
# a watcher sees every version of the replacement: none may show the new imageID
# without its declared version (issue 9's rehearsal flake)
rm -f "$DIR/iw.ready"
/usr/bin/python3 "$(dirname "$0")/image_watch.py" "$KUBECONFIG" $NS "$R" "$new" 2.0.1 --timeout 60 \
	--ready-file "$DIR/iw.ready" > "$DIR/iw.json" &
iw=$!
for _ in $(seq 50); do [ -e "$DIR/iw.ready" ] && break; sleep 0.1; done
$K delete pod "$R" >/dev/null
$K wait --for=condition=Ready "pod/$R" --timeout=60s >/dev/null
wait $iw; iwrc=$?
check "no watch event showed the new imageID without version 2.0.1 ($(cat "$DIR/iw.json"))" [ $iwrc = 0 ]
check "the replacement's imageID is the new digest" \
	sh -c "$K get pod '$R' -o jsonpath='{.status.containerStatuses[0].imageID}' | grep -q '@$new'"
check "the pod shows the image's Patroni version (2.0.1)" [ "$($K get pod "$R" \
	-o jsonpath='{.metadata.annotations.sandbox\.opsplan\.io/image-patroni-version}')" = 2.0.1 ]
check "the process is still Debian's Patroni (REST says 3.0.2)" [ "$($K get --raw \
	"/api/v1/namespaces/$NS/pods/$R:8008/proxy/patroni" | jq -r .patroni.version)" = 3.0.2 ]

# fault: the new image fails to pull
"$SB" fault --dir "$DIR" --image-fail patroni-postgres:15-stable >/dev/null
$K delete pod "$R" >/dev/null
for _ in $(seq 40); do
	w=$($K get pod "$R" -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' 2>/dev/null)
	[ -n "$w" ] && break; sleep 0.25
done
check "image-fail: the pod waits with $w and is not Ready" sh -c "echo '$w' | grep -q 'ImagePull' && \
	[ \"\$($K get pod '$R' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" != True ]"
"$SB" fault --dir "$DIR" --image-fail "" >/dev/null
$K wait --for=condition=Ready "pod/$R" --timeout=60s >/dev/null
check "image-fail cleared: the pod starts and becomes Ready" [ $? = 0 ]

# fault: node restart kills two pods' processes at once; containers restart
P=$($K get pods -o jsonpath='{.items[0].metadata.name},{.items[1].metadata.name}')
"$SB" fault --dir "$DIR" --node-restart "$P" >/dev/null
sleep 1
"$SB" wait --dir "$DIR" --timeout 90 >/dev/null
check "node restart: the cluster is healthy again" [ $? = 0 ]
rc=$($K get pod "${P%%,*}" -o jsonpath='{.status.containerStatuses[0].restartCount}')
check "node restart: restartCount went up (now $rc)" [ "${rc:-0}" -ge 1 ]
exit $fail
