"""OpenShift builds: BuildConfig `instantiate` creates Build `<bc>-<N>`, which
moves New -> Pending -> Running -> Complete over a few seconds, writes a log
shaped like a docker-strategy build, and pushes an image with a new digest to
the BuildConfig's output ImageStreamTag.  No container is built: the image
only records the Patroni version (`patroniv` build arg, default 1.6.5 as in
the BC Gov Dockerfile) it was built for."""

import copy
import hashlib
import os
import re
import threading
import time

from . import errors, images, resources
from .errors import ApiError
from .podapi import stream_file
from .store import now_iso

BC = resources.BY_KIND["BuildConfig"]
BUILD = resources.BY_KIND["Build"]
DEFAULT_PATRONIV = "1.6.5"
STEP_DELAY = 0.25


class Builds:
    def __init__(self, server, store, log):
        self.server, self.store, self.log = server, store, log
        self.dir = os.path.join(server.kubelet.cfg.dir, "builds")
        os.makedirs(self.dir, exist_ok=True)
        self.lock = threading.Lock()

    def log_path(self, ns, name):
        return os.path.join(self.dir, "%s_%s.log" % (ns, name))

    # POST buildconfigs/NAME/instantiate
    def instantiate(self, h, res, ns, name, rest):
        if h.command != "POST":
            raise ApiError(405, "MethodNotAllowed", "instantiate accepts POST only")
        req = h.json_body(h.raw_body) or {}
        with self.lock:
            bc = self.store.get(BC, ns, name)
            n = int((bc.get("status") or {}).get("lastVersion", 0)) + 1
            spec = copy.deepcopy(bc.get("spec") or {})
            for k in ("triggers", "runPolicy", "successfulBuildsHistoryLimit", "failedBuildsHistoryLimit"):
                spec.pop(k, None)
            ds = spec.setdefault("strategy", {}).setdefault("dockerStrategy", {})
            args = {a["name"]: a.get("value", "") for a in ds.get("buildArgs", []) or []}
            for a in ((req.get("dockerStrategyOptions") or {}).get("buildArgs") or []):
                args[a["name"]] = a.get("value", "")
            ds["buildArgs"] = [{"name": k, "value": v} for k, v in args.items()]
            spec["triggeredBy"] = [{"message": "Manually triggered"}]
            build = {"metadata": {"name": "%s-%d" % (name, n),
                                  "labels": {"buildconfig": name, "openshift.io/build-config.name": name,
                                             "openshift.io/build.start-policy": "Serial"},
                                  "annotations": {"openshift.io/build-config.name": name,
                                                  "openshift.io/build.number": str(n)},
                                  "ownerReferences": [{"apiVersion": "build.openshift.io/v1", "kind": "BuildConfig",
                                                       "name": name, "uid": bc["metadata"]["uid"],
                                                       "controller": True}]},
                     "spec": spec, "status": {"phase": "New", "config": {"kind": "BuildConfig", "namespace": ns,
                                                                         "name": name}}}
            if h.dry():
                return h.send_json(201, build)
            created = self.store.create(BUILD, ns, build)
            bc["status"] = dict(bc.get("status") or {}, lastVersion=n)
            self.store.update(BC, ns, name, bc, subresource="status")
        open(self.log_path(ns, created["metadata"]["name"]), "w").close()
        threading.Thread(target=self._run, args=(ns, created["metadata"]["name"]), daemon=True).start()
        h.send_json(201, created)

    def _status(self, ns, name, **changes):
        for _ in range(10):
            b = self.store.get(BUILD, ns, name)
            b["status"] = dict(b.get("status") or {}, **changes)
            try:
                return self.store.update(BUILD, ns, name, b, subresource="status")
            except ApiError as e:
                if e.code != 409:
                    raise

    def _run(self, ns, name):
        try:
            self._build(ns, name)
        except Exception as e:  # noqa: a broken build must end Failed, not hang
            self.log("builds: %s/%s failed: %r" % (ns, name, e))
            self._status(ns, name, phase="Failed", reason="GenericBuildFailed", message=str(e),
                         completionTimestamp=now_iso())

    def _build(self, ns, name):
        b = self.store.get(BUILD, ns, name)
        spec = b["spec"]
        args = {a["name"]: a.get("value", "") for a in spec["strategy"]["dockerStrategy"].get("buildArgs", [])}
        patroniv = args.get("patroniv") or DEFAULT_PATRONIV
        src = spec["strategy"]["dockerStrategy"].get("from") or {"kind": "ImageStreamTag", "name": "postgres:15"}
        out = (spec.get("output") or {}).get("to") or {}
        path = self.log_path(ns, name)
        time.sleep(0.5)
        self._status(ns, name, phase="Pending", reason="", message="")
        time.sleep(0.5)
        start = time.monotonic()
        self._status(ns, name, phase="Running", startTimestamp=now_iso())
        f = open(path, "a", buffering=1)

        def say(*lines):
            for line in lines:
                f.write(line + "\n")
            time.sleep(STEP_DELAY)

        git = (spec.get("source") or {}).get("git") or {}
        commit = hashlib.sha1(name.encode()).hexdigest()
        from_ref = "%s/%s/%s" % (images.REGISTRY_HOST, src.get("namespace") or ns, src.get("name", ""))
        say('Cloning "%s" ...' % git.get("uri", "<no source>"),
            "\tCommit:\t%s (Bump patroni version)" % commit, "\tAuthor:\tPlatform Services <ps@example.org>",
            "\tDate:\t%s" % time.strftime("%a %b %d %H:%M:%S %Y +0000", time.gmtime()))
        say("Replaced Dockerfile FROM image %s" % src.get("name", ""),
            "Caching blobs under \"/var/cache/blobs\".", "", "Pulling image %s ..." % from_ref,
            "Getting image source signatures", "Copying blob sha256:%s" % hashlib.sha256(b"base").hexdigest(),
            "Writing manifest to image destination", "Storing signatures")
        say("STEP 1: FROM %s" % from_ref, "STEP 2: ARG PGVERSION=15",
            "STEP 3: ARG patroniv=%s" % DEFAULT_PATRONIV, "STEP 4: ENV LANG=en_US.UTF-8 PATRONI_VERSION=${patroniv}",
            "STEP 5: USER 0", "STEP 6: RUN apt-get update -y && apt-get install -y python3-pip "
            "&& pip3 install 'patroni[kubernetes]==${patroniv}'")
        say("Hit:1 http://deb.debian.org/debian bookworm InRelease", "Reading package lists...",
            "Collecting patroni[kubernetes]==%s" % patroniv)
        if not re.match(r"^\d+\.\d+\.\d+$", patroniv):
            say("ERROR: Could not find a version that satisfies the requirement patroni[kubernetes]==%s" % patroniv,
                "ERROR: No matching distribution found for patroni[kubernetes]==%s" % patroniv,
                "error: build error: error building at STEP \"RUN apt-get update ...\": exit status 1")
            f.close()
            self._status(ns, name, phase="Failed", reason="DockerBuildFailed",
                         message="Docker build strategy has failed.", completionTimestamp=now_iso(),
                         duration=int((time.monotonic() - start) * 1e9))
            return
        say("  Downloading patroni-%s-py3-none-any.whl (175 kB)" % patroniv)
        for dep in ("urllib3!=1.21,>=1.19.1", "boto", "PyYAML", "six>=1.7", "kubernetes<=11.0.0,>=2.0.0",
                    "python-dateutil", "psutil>=2.0.0", "prettytable>=0.7", "click>=4.1", "cdiff"):
            f.write("Collecting %s (from patroni[kubernetes]==%s)\n" % (dep, patroniv))
        time.sleep(STEP_DELAY)
        say("Installing collected packages: six, urllib3, PyYAML, python-dateutil, psutil, prettytable, click, "
            "cdiff, kubernetes, boto, patroni",
            "Successfully installed PyYAML boto cdiff click kubernetes patroni-%s prettytable psutil "
            "python-dateutil six urllib3" % patroniv)
        say("STEP 7: COPY contrib/root /", "STEP 8: VOLUME /home/postgres/pgdata", "STEP 9: EXPOSE 5432 8008",
            "STEP 10: USER postgres", "STEP 11: WORKDIR /home/postgres",
            "STEP 12: CMD [\"/bin/bash\", \"/usr/bin/entrypoint.sh\"]")
        digest = images.new_image(patroniv, note="%s/%s" % (ns, name))
        out_ref = "%s/%s/%s" % (images.REGISTRY_HOST, out.get("namespace") or ns, out.get("name", ""))
        say("STEP 13: COMMIT temp.builder.openshift.io/%s/%s:%s" % (ns, name, digest[7:15]),
            "Getting image source signatures", "Writing manifest to image destination", "Storing signatures",
            "--> %s" % digest[7:19], "", "Pushing image %s ..." % out_ref, "Getting image source signatures",
            "Copying config %s" % digest, "Writing manifest to image destination", "Storing signatures")
        if out.get("kind") == "ImageStreamTag" and ":" in out.get("name", ""):
            is_name, tag = out["name"].split(":", 1)
            images.push(self.store, out.get("namespace") or ns, is_name, tag, digest)
        say("Successfully pushed %s/%s/%s@%s" % (images.REGISTRY_HOST, out.get("namespace") or ns,
                                                out.get("name", "").split(":")[0], digest), "Push successful")
        f.close()
        self._status(ns, name, phase="Complete", completionTimestamp=now_iso(),
                     duration=int((time.monotonic() - start) * 1e9),
                     outputDockerImageReference=out_ref,
                     output={"to": {"imageDigest": digest}})
        self.log("builds: %s/%s complete: patroni %s -> %s" % (ns, name, patroniv, digest[:19]))

    # GET builds/NAME/log
    def build_log(self, h, res, ns, name, rest):
        b = self.store.get(BUILD, ns, name)
        path = self.log_path(ns, name)
        follow = h.query.get("follow") in ("true", "1", "True")
        if not os.path.exists(path):
            raise errors.bad_request('build %s has no log' % name)
        if follow:
            end = time.monotonic() + 30
            while (self.store.get(BUILD, ns, name).get("status") or {}).get("phase") in ("New", "Pending") \
                    and time.monotonic() < end:
                time.sleep(0.2)
        elif (b.get("status") or {}).get("phase") in ("New", "Pending"):
            raise errors.bad_request("build %s is %s: no log yet" % (name, b["status"]["phase"]))

        def running():
            return (self.store.get(BUILD, ns, name).get("status") or {}).get("phase") in ("New", "Pending", "Running")
        stream_file(h, path, follow, None, None, running)


def register(server, store, log):
    b = Builds(server, store, log)
    server.subresources[("buildconfigs.build.openshift.io", "instantiate")] = b.instantiate
    server.subresources[("builds.build.openshift.io", "log")] = b.build_log
    return b
