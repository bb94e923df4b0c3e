"""Label and field selectors, parsed as the API server parses them.

Unsupported field labels are a 400, as on a real API server, so a client that
relies on one the sandbox lacks finds out instead of getting every object."""

import re

from .errors import bad_request

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SET = re.compile(r"^\s*(!?)\s*(%s)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$" % _KEY)
_EQ = re.compile(r"^\s*(%s)\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)\s*$" % _KEY)

FIELDS = {
    "*": {"metadata.name", "metadata.namespace"},
    "Pod": {"status.phase", "spec.nodeName", "status.podIP", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "status.nominatedNodeName"},
    "Event": {"involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid",
              "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
              "reason", "source", "type"},
    "Secret": {"type"},
    "Build": {"status", "status.phase", "podName"},
}


def _split(text):
    # commas inside "in (a,b)" do not separate requirements
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_labels(text):
    """Returns a list of (key, op, values); op in = != in notin exists !exists."""
    reqs = []
    for part in _split(text or ""):
        m = _EQ.match(part)
        if m:
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append((m.group(1), op, {m.group(3)}))
            continue
        m = _SET.match(part)
        if not m or (m.group(1) and m.group(3)):
            raise bad_request('unable to parse requirement: "%s"' % part.strip())
        if m.group(3):
            reqs.append((m.group(2), m.group(3), {v.strip() for v in m.group(4).split(",") if v.strip()}))
        else:
            reqs.append((m.group(2), "!exists" if m.group(1) else "exists", set()))
    return reqs


def match_labels(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        have = key in labels
        val = labels.get(key)
        ok = {"=": have and val in values, "!=": not have or val not in values,
              "in": have and val in values, "notin": not have or val not in values,
              "exists": have, "!exists": not have}[op]
        if not ok:
            return False
    return True


def _field_value(obj, path):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    return cur if isinstance(cur, str) else str(cur)


def parse_fields(text, kind):
    reqs = []
    allowed = FIELDS["*"] | FIELDS.get(kind, set())
    for part in _split(text or ""):
        m = re.match(r"^\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise bad_request('invalid selector: \'%s\'; can\'t understand \'%s\'' % (text, part))
        if m.group(1) not in allowed:
            raise bad_request('"%s" is not a known field selector: only "%s"' %
                              (m.group(1), '", "'.join(sorted(allowed))))
        reqs.append((m.group(1), m.group(2) == "!=", m.group(3)))
    return reqs


def match_fields(reqs, obj):
    for path, negate, value in reqs:
        if (_field_value(obj, path) == value) == negate:
            return False
    return True
