"""The DNS layer offline: zone files and recorded snapshots answer exactly as
tests/golden/dns-offline.txt says; names outside every zone are "not in
snapshot", never NXDOMAIN; bad zone files are errors naming file and line.

    /usr/bin/python3 tests/dns_offline.py --update   # after a deliberate change
"""
import os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks
from dns_cases import CASES

check = Checks()
root = os.environ.get("MXRAY_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
mxray = os.environ.get("MXRAY", os.path.join(root, "build", "mxray"))
zones = ["--dns", "fixtures/dns/example.com.zone", "--dns", "fixtures/dns/2.0.192.in-addr.arpa.zone"]

def run(args):
    p = subprocess.run([mxray, "dns"] + args, cwd=root, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


args = zones + [x for c in CASES for x in c]
rc, out, err = run(args)
check(rc == 0, f"zone lookups exit 0 ({rc}, {err[-300:]})")
rec_args = ["--dns", "fixtures/dns/recorded.zone", "gone.example.org", "TXT", "_dmarc.example.org", "TXT",
            "flaky.example.org", "TXT", "slow.example.org", "MX", "example.org", "TXT",
            "MAIL.example.org", "A", "mail.example.org", "TXT", "nothere.example.com", "TXT",
            "a..b.example.org", "TXT", "x" * 64 + ".example.org", "TXT",
            "foo:bar/baz.example.org", "TXT"]
rc2, out2, err2 = run(rec_args)
check(rc2 == 0, "snapshot lookups exit 0")
text = out + "----\n" + out2
golden = os.path.join(root, "tests", "golden", "dns-offline.txt")
if "--update" in sys.argv:
    with open(golden, "w") as f:
        f.write(text)
with open(golden) as f:
    want = f.read()
if text != want:
    import difflib
    print("\n".join(difflib.unified_diff(want.splitlines(), text.splitlines(), "golden", "now", lineterm="")))
check(text == want, "answers equal tests/golden/dns-offline.txt")

# the rules themselves, independent of the golden file
def status(out, name, typ):
    for line in out.splitlines():
        if line.startswith(name + " " + typ + " "):
            return line.split()[2]
check(status(out, "nothere.example.com.", "TXT") == "NXDOMAIN", "absent name under an SOA: NXDOMAIN")
check(status(out, "several.example.com.", "A") == "NODATA", "name with other types: NODATA")
check(status(out, "b.ent.example.com.", "TXT") == "NODATA", "empty non-terminal: NODATA")
check(status(out2, "nothere.example.com.", "TXT") == "NOT_IN_SNAPSHOT", "outside every zone: not in snapshot")
check(status(out2, "mail.example.org.", "TXT") == "NOT_IN_SNAPSHOT", "recorded name, other type: not in snapshot")
check("dig +noall +answer mail.example.org. TXT" in out2, "the missing lookup says how to supply it")
check(status(out2, "slow.example.org.", "MX") == "TIMEOUT", "directive for ANY type")
check(status(out2, "a..b.example.org", "TXT") == "BAD_NAME", "an empty label is never queried")
check(status(out2, "x" * 64 + ".example.org", "TXT") == "BAD_NAME", "a 64-octet label is never queried")
check(status(out2, "foo:bar/baz.example.org.", "TXT") == "NOT_IN_SNAPSHOT",
      "visible characters are legal in names (RFC 7208 §7.1 tests a:foo:bar/baz.example.com)")
check('"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all"' in out, "TXT strings concatenated")

# bad zone files: an error naming file and line, exit 3
for path, line in [("fixtures/dns/broken/bad-record.zone", 4), ("fixtures/dns/broken/bad-directive.zone", 1)]:
    rc, o, e = run(["--dns", path, "x.example.net", "TXT"])
    check(rc == 3 and f"{path}:{line}:" in e, f"{path}: exit 3 naming line {line} ({rc}, {e.strip()})")
rc, o, e = run(["--dns", "/nonexistent.zone", "x.example.net", "TXT"])
check(rc == 3 and "/nonexistent.zone" in e, "missing zone file: exit 3")
rc, o, e = run(["x.example.net"])
check(rc == 2, "dns without a TYPE: usage error")
rc, o, e = run(["x.example.net", "SPF"])
check(rc == 2, "unknown type: usage error")

# offline by default: with no --online nothing is planned or sent
rc, o, e = run(["--dns-plan", "--dns", "fixtures/dns/recorded.zone", "example.org", "TXT", "other.example", "TXT"])
check("No live lookup would be sent" in o, "--dns-plan offline: nothing to send")
# the plan lists live lookups without sending them (this resolver address answers nothing)
rc, o, e = run(["--dns-plan", "--resolver", "192.0.2.1:53", "--dns", "fixtures/dns/recorded.zone",
                "example.org", "TXT", "s1._domainkey.attacker.example", "TXT"])
check(rc == 0 and "s1._domainkey.attacker.example. TXT" in o and "example.org. TXT\n" not in o.split("looked:")[-1],
      f"--dns-plan lists only the live lookups ({o})")

# record and replay offline: identical answers
import tempfile
snap = tempfile.mktemp(suffix=".zone")
rc, o1, e = run(zones + ["--save-dns", snap] + [x for c in CASES for x in c])
rc, o2, e = run(["--dns", snap] + [x for c in CASES for x in c])
check(o1 == o2, "a saved snapshot replays the same answers")
os.unlink(snap)

check.done()
