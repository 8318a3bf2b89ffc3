"""SPF on hostile records (RFC 7208 §4.6.4 limits): include loops, a redirect
chain, a 10 000-character record, macro expansions past 253 characters,
CIDR /0, /33 and /129, a huge digit transformer, 15 MX names.  Each must end
with a clear result, within the limits, quickly (under the sanitizers too)."""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks

check = Checks()
root = os.environ["MXRAY_SOURCE_ROOT"]
mxray = os.environ["MXRAY"]
zone = os.path.join(root, "fixtures", "spf", "hostile", "hostile.zone")
long_local = "a" * 60

CASES = [
    # domain, ip, local part, expected result
    ("loop-a.hostile.example", "192.0.2.1", "u", "permerror"),
    ("self.hostile.example", "192.0.2.1", "u", "permerror"),
    ("chain0.hostile.example", "192.0.2.1", "u", "permerror"),
    ("long.hostile.example", "192.0.2.5", "u", "pass"),
    ("long.hostile.example", "198.51.100.1", "u", "fail"),
    ("grow.hostile.example", "192.0.2.1", long_local, "fail"),
    ("cidr0.hostile.example", "203.0.113.9", "u", "pass"),
    ("cidr129.hostile.example", "192.0.2.1", "u", "permerror"),
    ("cidr33.hostile.example", "192.0.2.1", "u", "permerror"),
    ("bigdigit.hostile.example", "192.0.2.1", "u", "fail"),
    ("manymx.hostile.example", "198.51.100.3", "u", "pass"),
    ("manymx.hostile.example", "198.51.100.15", "u", "permerror"),
]
for domain, ip, local, want in CASES:
    t0 = time.time()
    p = subprocess.run([mxray, "spf", "--json", "--dns", zone, "--ip", ip,
                        "--mail-from", f"{local}@{domain}", "--helo", "mail.example.com"],
                       capture_output=True, text=True, timeout=60)
    took = time.time() - t0
    try:
        r = json.loads(p.stdout)["spf"]
    except ValueError:
        check(False, f"{domain} {ip}: no JSON (exit {p.returncode}, {p.stderr[-300:]})")
        continue
    check(r["result"] == want, f"{domain} {ip}: {r['result']} (want {want}; {r.get('reason')})")
    check(r["lookups"] <= 11 and r["void_lookups"] <= 3, f"{domain}: limits kept "
          f"({r['lookups']} lookups, {r['void_lookups']} void)")
    check(len(r["trace"]) <= 200, f"{domain}: trace bounded ({len(r['trace'])})")
    check(took < 20, f"{domain}: finished in {took:.1f} s")
r = json.loads(subprocess.run([mxray, "spf", "--json", "--dns", zone, "--ip", "203.0.113.9",
                               "--mail-from", "u@cidr0.hostile.example", "--helo", "x.example"],
                              capture_output=True, text=True).stdout)["spf"]
check(r["scope"] and "wide" in r["scope"], "ip4:0.0.0.0/0 is reported as a wide match")
check.done()
