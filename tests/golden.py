"""Golden JSON for every fixture: `mxray analyze --json FIXTURE` must print
exactly tests/golden/<fixture>.json (sorted keys, relative input names, no
clock), so that a plain diff shows every change in behaviour.

    /usr/bin/python3 tests/golden.py            # compare (meson test golden)
    /usr/bin/python3 tests/golden.py --update   # rewrite after a deliberate change

The fixtures are found by themselves: every file under fixtures/ except
README.md, zone files, keys and generator scripts, and fixtures/dns/ (tests/dns_offline.py).
A fixture's DNS comes from <name>.zone beside it and from keys.zone in its folder.  Each is also checked against its refusal rule: inputs under
fixtures/broken/ that are not messages exit 4, everything else exits 0.
"""
import difflib, glob, json, os, subprocess, sys

root = os.environ.get("MXRAY_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
mxray = os.environ.get("MXRAY", os.path.join(root, "build", "mxray"))
update = "--update" in sys.argv
golden_dir = os.path.join(root, "tests", "golden")

SKIP_SUFFIXES = (".md", ".zone", ".pem", ".py", ".b64", ".key", ".pub")
fixtures = sorted(p for p in glob.glob(os.path.join(root, "fixtures", "**", "*"), recursive=True)
                  if os.path.isfile(p) and not p.endswith(SKIP_SUFFIXES)
                  and not os.path.relpath(p, root).startswith("fixtures/dns/")
                  and "/keys/" not in os.path.relpath(p, root))


def zones_for(rel):
    """The zone files a fixture's DNS comes from: <name>.zone beside it and its folder's keys.zone."""
    z = []
    base = os.path.splitext(rel)[0] + ".zone"
    folder = os.path.join(os.path.dirname(rel), "keys.zone")
    for cand in (folder, base):
        if os.path.exists(os.path.join(root, cand)) and cand not in z:
            z += ["--dns", cand]
    return z

if not fixtures:
    print("no fixtures found")
    sys.exit(1)

failures = 0
for path in fixtures:
    rel = os.path.relpath(path, root)
    name = rel[len("fixtures/"):].replace("/", "__") + ".json"
    gpath = os.path.join(golden_dir, name)
    p = subprocess.run([mxray, "analyze", "--json"] + zones_for(rel) + [rel], cwd=root,
                       capture_output=True)
    out = p.stdout.decode("utf-8")
    try:
        doc = json.loads(out)
    except ValueError as e:
        failures += 1
        print(f"FAIL {rel}: output is not JSON ({e}); stderr: {p.stderr.decode()[:300]}")
        continue
    refused = doc["input"]["kind"] != "message"
    if p.returncode != (4 if refused else 0):
        failures += 1
        print(f"FAIL {rel}: exit {p.returncode} for input kind {doc['input']['kind']}")
    if "schema_version" not in doc:
        failures += 1
        print(f"FAIL {rel}: no schema_version")
    if update:
        os.makedirs(golden_dir, exist_ok=True)
        with open(gpath, "w", encoding="utf-8") as f:
            f.write(out)
        continue
    if not os.path.exists(gpath):
        failures += 1
        print(f"FAIL {rel}: no golden file {os.path.relpath(gpath, root)} (run with --update)")
        continue
    with open(gpath, encoding="utf-8") as f:
        want = f.read()
    if out != want:
        failures += 1
        diff = difflib.unified_diff(want.splitlines(), out.splitlines(),
                                    "golden/" + name, "now", lineterm="", n=2)
        print(f"FAIL {rel}: output differs from its golden file")
        for i, line in enumerate(diff):
            if i > 60:
                print("   ...")
                break
            print("   " + line)

print(f"{len(fixtures)} fixtures, {failures} failures{' (golden files rewritten)' if update else ''}")
sys.exit(1 if failures else 0)
