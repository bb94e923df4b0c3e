"""The three patch types of the Kubernetes API.

Strategic merge simplification (documented in docs/sandbox.md): maps merge
recursively with null deleting a key; a list whose items are all maps with a
`name` (containers, env, ports, volumes, volumeMounts, buildArgs, tags) merges
item by item on `name`; `$patch: replace` / `$patch: delete` on a map are
honoured; any other list is replaced whole."""

import copy

from .errors import ApiError, bad_request


def merge(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


def _named_list(items):
    return isinstance(items, list) and items and all(isinstance(i, dict) and "name" in i for i in items)


def strategic(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic(out.get(key), value)
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
        elif _named_list(value) and _named_list(out.get(key)):
            items = [copy.deepcopy(i) for i in out[key]]
            index = {i["name"]: n for n, i in enumerate(items)}
            for item in value:
                n = index.get(item["name"])
                if item.get("$patch") == "delete":
                    if n is not None:
                        items[n] = None
                elif n is None:
                    items.append({k: v for k, v in item.items() if k != "$patch"})
                else:
                    items[n] = strategic(items[n], item)
            out[key] = [i for i in items if i is not None]
        else:
            out[key] = copy.deepcopy(value)
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request('invalid JSON pointer "%s"' % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(cur, list):
            cur = cur[int(p)]
        elif isinstance(cur, dict):
            cur = cur[p]
        else:
            raise KeyError(p)
    return cur


def json_patch(doc, ops):
    """RFC 6902.  A failed `test` is a 422 like on a real server."""
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        try:
            kind, parts = op["op"], _pointer(op["path"])
            if kind in ("copy", "move"):
                src = _pointer(op["from"])
                value = copy.deepcopy(_walk(doc, src))
                if kind == "move":
                    parent = _walk(doc, src[:-1])
                    del parent[int(src[-1]) if isinstance(parent, list) else src[-1]]
                kind, op = "add", {"value": value}
            if kind == "test":
                if _walk(doc, parts) != op["value"]:
                    raise ApiError(422, "Invalid", 'the server rejected our request due to an error in our request: '
                                   'test operation failed at "%s"' % "/".join(parts))
                continue
            if not parts:
                if kind in ("add", "replace"):
                    doc = copy.deepcopy(op["value"])
                    continue
                raise bad_request("cannot remove the whole document")
            parent = _walk(doc, parts[:-1])
            last = parts[-1]
            if isinstance(parent, list):
                idx = len(parent) if last == "-" else int(last)
                if kind == "add":
                    parent.insert(idx, copy.deepcopy(op["value"]))
                elif kind == "remove":
                    del parent[idx]
                elif kind == "replace":
                    parent[idx] = copy.deepcopy(op["value"])
                else:
                    raise bad_request('unknown json patch op "%s"' % kind)
            else:
                if kind == "add":
                    parent[last] = copy.deepcopy(op["value"])
                elif kind == "remove":
                    del parent[last]
                elif kind == "replace":
                    if last not in parent:
                        raise KeyError(last)
                    parent[last] = copy.deepcopy(op["value"])
                else:
                    raise bad_request('unknown json patch op "%s"' % kind)
        except ApiError:
            raise
        except (KeyError, IndexError, ValueError, TypeError) as e:
            raise ApiError(422, "Invalid", 'the server rejected our request due to an error in our request: '
                           'json patch "%s" failed: %r' % (op.get("op") if isinstance(op, dict) else op, e))
    return doc


def apply(content_type, target, body):
    ct = (content_type or "").split(";")[0].strip()
    if ct == "application/merge-patch+json":
        return merge(target, body)
    if ct == "application/strategic-merge-patch+json":
        return strategic(target, body)
    if ct == "application/json-patch+json":
        return json_patch(target, body)
    if ct == "application/apply-patch+yaml":
        # approximation (docs/sandbox.md): no field ownership, a strategic merge
        return strategic(target, body)
    raise ApiError(415, "UnsupportedMediaType", 'the body of the request was in an unknown format - '
                   'accepted media types include: application/json-patch+json, application/merge-patch+json, '
                   'application/strategic-merge-patch+json')
