import base64, json, sys, urllib.parse, re, os
# usage: leak.py VALUESFILE PATH...  (VALUESFILE: one value per line); prints hits, exit 1 on any
vals = [l.rstrip("\n") for l in open(sys.argv[1]) if l.rstrip("\n")]
def forms(v):
    out = {v, json.dumps(v)[1:-1], urllib.parse.quote(v, safe=""), urllib.parse.quote_plus(v, safe="")}
    for b in (base64.b64encode(v.encode()).decode(), base64.urlsafe_b64encode(v.encode()).decode()):
        out |= {b, b.rstrip("=")}
    out |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in list(out)}
    return out
needles = set()
for v in vals:
    for w in (v, v.upper(), v.lower()):
        needles |= forms(w)
hits = 0
files = []
for p in sys.argv[2:]:
    if os.path.isdir(p):
        for d, _, fs in os.walk(p):
            files += [os.path.join(d, f) for f in fs]
    elif os.path.exists(p):
        files.append(p)
for f in files:
    data = open(f, "rb").read().decode("utf-8", "replace")
    for n in needles:
        if n and n in data:
            print(f"LEAK {f}: {n!r}"); hits += 1
print(f"{len(files)} files, {len(needles)} forms, {hits} hits")
sys.exit(1 if hits else 0)
