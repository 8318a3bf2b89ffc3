#!/usr/bin/python3
"""
conformance_spf.py - run every SPF test of the two external suites in
$MXRAY_CONFORMANCE through `mxray spf --json` and compare the result (and the
explanation, where the suite gives one).

Suites (each folder's SOURCE.md says how to feed it; read in place, never
copied or edited):

  spf-openspf/rfc7208-tests.yml   the OpenSPF suite, RFC 7208 edition: 16
                                  scenarios, 203 tests.  One zone file per
                                  scenario, built from its zonedata.
  spf-stalwart/*.yml              Stalwart mail-auth resources/spf: 12 files,
                                  163 checks.  Not real YAML: replayed line by
                                  line, one DNS state per file that grows (and
                                  is overwritten) as records: lines appear; a
                                  zone file per distinct state.

How the OpenSPF zonedata becomes a zone file (SOURCE.md "How a harness should
feed it", which describes pyspf's test/testspf.py):

  * one root SOA ("."), so every name not listed is NXDOMAIN and a listed name
    without records of the asked type is NODATA (rule 5);
  * SPF (type 99) entries are written as SPF records and, unless the name has
    an explicit TXT: entry, as TXT records too (rule 2); TXT: NONE / SPF: NONE
    are not records, they only suppress that duplication (rule 3);
  * a bare TIMEOUT item: a query of type T times out unless records of type T
    are listed BEFORE it (rule 4; the TXT copies of SPF entries count as listed
    after every item, as pyspf generates them last); each type that times out
    becomes "; mxray-dns: NAME T TIMEOUT", all of them "NAME ANY TIMEOUT";
    a value TIMEOUT under a type times that type out only;
  * an absent name beginning with "error." times out (rule 5): every such name
    in the scenario's text gets "; mxray-dns: NAME ANY TIMEOUT";
  * a list value for TXT/SPF is one RR of several strings; strings over 255
    bytes are split (mxray joins them again, RFC 7208 3.3); bytes outside
    printable ASCII are written \\DDD (the file is read as Latin-1, rule 7);
    an empty list is an RR with no strings ("\\# 0");
  * CNAME entries are CNAME records (mxray follows them, a loop is CNAME_LOOP);
    MX [0, ""] is a null MX (".");
  * owner names that are not LDH (foo:bar/baz.example.com, a name with spaces)
    are written with master-file escapes (\\032 for a space): RFC 7208 7.1 lets
    a domain-spec hold any visible character, and the suite expects them found;
    names DNS cannot hold (a label over 63 octets, a name over 253) are left
    out with a comment.

How the Stalwart files are replayed (SOURCE.md, and the reference runner
src/spf/verify.rs it names, whose behaviour the expectations record):

  * spf:/exp: lines set the TXT answer of a name, a:/aaaa: its A/AAAA,
    mx: its MX (each IP becomes an exchange "mx.<ip>.<index>", preference
    index+1, holding that one address; ':' in an IPv6 address becomes '-' so
    the exchange is a host name mxray will look up: the name is never seen by
    any check), ptr: the PTR names of an address; a later line for the same
    name and type replaces the earlier answer; the state lasts for the whole
    file; names absent are NXDOMAIN.  Names containing "_dns_error." fail
    (the runner's mock resolver returns a DNS error for them): ANY TIMEOUT.
  * domain: is the HELO name, sender: the MAIL FROM (empty -> null
    reverse-path), ip: the client (127.0.0.1 until set); all three reset at
    every "---".  The receiving host (%{r}) is localdomain.org.
  * Each expect: runs what the runner runs, MessageAuthenticator::verify_spf
    with SpfParameters::verify(): check_host for the HELO identity first; a
    result other than pass is the answer, otherwise check_host for the MAIL
    FROM identity is.  (SOURCE.md's one-line summary leaves the HELO step
    out, but the expectations depend on it: basic.yml "HELO identity" expects
    fail for a MAIL FROM domain whose record is +all.)  So the harness calls
    `mxray spf --identity helo`, then, on pass, `--identity mailfrom`.

Comparison: result must be the suite's result (or one of its list); when the
suite gives an explanation it must equal mxray's "explanation" (OpenSPF tests
with one are run with --default-explanation DEFAULT, SOURCE.md rule 8).  The
JSON contract is checked too: every documented key present, identity right,
lookups <= 10 and void_lookups <= 2 unless the result is permerror.

A test is OK, KNOWN (listed below with the suite-vs-RFC reason and the result
mxray gives instead), STALE (a KNOWN entry no longer needed) or DIFF.  Exit 0
only when there is no DIFF and no STALE; 77 (SKIP) when the suites are
missing.  Every zone file stays in $MXRAY_SPF_REPRO (default /tmp/spf-repro)
and each DIFF prints the command that reproduces it.
"""
import concurrent.futures
import hashlib
import ipaddress
import json
import os
import re
import shlex
import subprocess
import sys

CONF = os.environ.get("MXRAY_CONFORMANCE", "")
MXRAY = os.environ.get("MXRAY", "")
REPRO = os.environ.get("MXRAY_SPF_REPRO", "/tmp/spf-repro")
VERBOSE = bool(os.environ.get("MXRAY_VERBOSE"))

OPENSPF = os.path.join(CONF, "spf-openspf", "rfc7208-tests.yml")
STALWART = os.path.join(CONF, "spf-stalwart")

if not CONF or not os.path.isfile(OPENSPF) or not os.path.isdir(STALWART):
    print("=" * 72)
    print("SKIPPED: SPF conformance suites not found at MXRAY_CONFORMANCE=%r" % CONF)
    print("         (need spf-openspf/rfc7208-tests.yml and spf-stalwart/); "
          "NOTHING WAS CHECKED")
    print("=" * 72)
    sys.exit(77)
if not MXRAY or not os.access(MXRAY, os.X_OK):
    print("conformance-spf: MXRAY not set or not executable", file=sys.stderr)
    sys.exit(1)

import yaml  # noqa: E402  (python3-yaml; only needed once the suites exist)

RESULTS = ("none", "neutral", "pass", "fail", "softfail", "temperror", "permerror")
JSON_KEYS = ("result", "identity", "domain", "ip", "helo", "mail_from", "matched", "lookups",
             "void_lookups", "explanation", "trace", "lint")
STALWART_RECEIVER = "localdomain.org"

# ---------------------------------------------------------------------------
# Documented disagreements: (suite, test) -> (reason, results mxray gives
# instead).  Only genuine suite-vs-RFC 7208 disagreements (OpenSPF wins over
# Stalwart, spf-stalwart/SOURCE.md) -- never an mxray bug.
# ---------------------------------------------------------------------------
def known(suite, name, reason, results, explanation=None):
    KNOWN[(suite, name)] = (reason, results, explanation)


KNOWN = {}
EXISTS_A = ("RFC 7208 5.7: exists does \"a DNS A RR lookup (even when the connection type is "
            "IPv6)\"; OpenSPF exists-ip6only expects fail for a name with AAAA only.  The "
            "Stalwart runner's mock exists() falls back to AAAA, so its %s")
known("stalwart", "exists.yml#1 Exists/2", EXISTS_A % "ip6.test.org (AAAA only) passes",
      ["fail"])
known("stalwart", "macro.yml#2 Macro expansion 2/2",
      EXISTS_A % "exists:%{ir}.%{v}._spf.%{d2} finds the AAAA-only name", ["fail"])
known("stalwart", "all.yml#1 All test/1",
      "\"v=spf1 -all ip:10.0.0.1\": \"ip:\" is no mechanism and no modifier (RFC 7208 "
      "4.6.1/12); RFC 7208 4.6: \"If there are any syntax errors anywhere in the record, "
      "check_host() returns immediately with the result permerror\", also after all "
      "(OpenSPF detect-errors-anywhere); Stalwart stops parsing at all", ["permerror"])
known("stalwart", "basic.yml#5 DNS Lookup Limits/1",
      "a:t1.org ... a:t10.org are ten NXDOMAIN answers: RFC 7208 4.6.4 limits void lookups "
      "to two, the third is a permerror (OpenSPF void-over-limit); Stalwart has no void "
      "limit", ["permerror"])
known("stalwart", "ip.yml#2 IPv6 match/4",
      "IPv4 client 10.1.2.3 against ip6:::ffff:10.1.2.3: an IPv4 <ip> is compared with ip4 "
      "networks only (RFC 7208 5.6; 5: IPv4-mapped addresses are treated as IPv4, OpenSPF "
      "ip4-mapped-ip6); Stalwart converts the client to ::ffff:10.1.2.3 and matches", ["fail"])



# ---------------------------------------------------------------------------
# Zone files
# ---------------------------------------------------------------------------
SOA = ". 3600 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60"
TYPES = ("A", "AAAA", "MX", "PTR", "TXT", "CNAME")
NAME_OK = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*:/%+=!#&,?~^[]{}|<>")


def to_bytes(s):
    if isinstance(s, bytes):
        return s
    s = str(s)
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def zname(name):
    """An owner or rdata name, fully qualified, master-file escaped."""
    raw = to_bytes(name)
    if raw in (b"", b"."):
        return "."
    raw = raw.rstrip(b".")
    out = []
    for label in raw.split(b"."):
        s = ""
        for c in label:
            s += chr(c) if c in NAME_OK else "\\%03d" % c
        out.append(s)
    return ".".join(out) + "."


def txt_rdata(strings):
    """One TXT RR from a list of character-strings (bytes or str)."""
    if not strings:
        return "\\# 0"
    out = []
    for st in strings:
        raw = to_bytes(st)
        chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
        for c in chunks:
            s = ""
            for ch in c:
                if ch in (0x22, 0x5c):
                    s += "\\" + chr(ch)
                elif 0x20 <= ch < 0x7f:
                    s += chr(ch)
                else:
                    s += "\\%03d" % ch
            out.append('"' + s + '"')
    return " ".join(out)


def representable(name):
    """A name DNS can hold (RFC 1035 2.3.4): labels <= 63 octets, name <= 255."""
    raw = to_bytes(name).rstrip(b".")
    return len(raw) <= 253 and all(len(l) <= 63 for l in raw.split(b"."))


def rr_line(owner, rtype, value):
    o = zname(owner)
    if not representable(owner):
        # no zone can hold it (ldns refuses the line); the suite expects the
        # analyzer to reject such a domain before any lookup
        return "; not representable in DNS, left out: %s %s" % (o[:80] + "...", rtype)
    if rtype in ("TXT", "SPF"):
        return "%s 300 IN %s %s" % (o, rtype, txt_rdata(value if isinstance(value, list)
                                                         else [value]))
    if rtype == "MX":
        pref, exch = value
        return "%s 300 IN MX %d %s" % (o, int(pref), zname(exch))
    if rtype in ("PTR", "CNAME"):
        return "%s 300 IN %s %s" % (o, rtype, zname(value))
    if rtype in ("A", "AAAA"):
        return "%s 300 IN %s %s" % (o, rtype, str(value).strip())
    raise ValueError("unknown type %r" % rtype)


def write_file(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("latin-1")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:40]


# ---------------------------------------------------------------------------
# Running mxray
# ---------------------------------------------------------------------------
def mxray_cmd(zone, ip, mail_from, helo, identity=None, default_exp=None, receiver=None):
    cmd = [MXRAY, "spf", "--json", "--dns", zone, "--ip", ip,
           "--mail-from", mail_from if mail_from else "<>", "--helo", helo]
    if identity:
        cmd += ["--identity", identity]
    if receiver:
        cmd += ["--receiver-host", receiver]
    if default_exp is not None:
        cmd += ["--default-explanation", default_exp]
    return cmd


def run(cmd):
    """-> (spf dict or None, error text or None)"""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "mxray did not finish in 60 s"
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, err[:300])
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return None, "no JSON (%s): %s" % (e, p.stdout[:200])
    if not isinstance(doc, dict) or not isinstance(doc.get("spf"), dict):
        return None, "JSON has no \"spf\" object"
    return doc["spf"], None


def contract(spf, identity):
    """Problems with the documented JSON shape (docs: `mxray spf` contract)."""
    probs = []
    missing = [k for k in JSON_KEYS if k not in spf]
    if missing:
        probs.append("missing keys: " + ", ".join(missing))
    r = spf.get("result")
    if r not in RESULTS:
        probs.append("result %r is not an RFC 7208 result" % r)
    if spf.get("identity") != identity:
        probs.append("identity %r, expected %r" % (spf.get("identity"), identity))
    if spf.get("matched") is not None and not isinstance(spf.get("matched"), str):
        probs.append("matched is neither a string nor null")
    elif spf.get("matched") is not None and r in ("none", "permerror", "temperror"):
        # no term decides these results: "matched" is "the term that matched" or null
        probs.append("matched %r on a %s result" % (spf.get("matched"), r))
    lk, vd = spf.get("lookups"), spf.get("void_lookups")
    if not isinstance(lk, int) or not isinstance(vd, int):
        probs.append("lookups/void_lookups not integers")
    elif r != "permerror" and (lk > 10 or vd > 2):
        probs.append("%s with lookups=%d void_lookups=%d (RFC 7208 4.6.4 limits are 10 / 2)"
                     % (r, lk, vd))
    if not isinstance(spf.get("trace"), list) or not isinstance(spf.get("lint"), list):
        probs.append("trace/lint not lists")
    if spf.get("explanation") is not None and r != "fail":
        # docs/schema.md: "explanation ... On fail"
        probs.append("explanation %r on a %s result" % (spf.get("explanation"), r))
    return probs


class Case:
    def __init__(self, suite, name, expect, expl, calls, note=""):
        self.suite, self.name = suite, name
        self.expect = expect if isinstance(expect, list) else [expect]
        self.expl = expl
        self.calls = calls      # [(cmd, identity)], run in order (Stalwart: HELO first)
        self.note = note


def execute(case):
    """-> (final spf dict or None, problems list, cmd list of the run that answered, trail)"""
    trail = []
    spf = None
    for i, (cmd, identity) in enumerate(case.calls):
        spf, err = run(cmd)
        if err:
            return None, [err], cmd, trail
        probs = contract(spf, identity)
        if probs:
            return spf, ["contract: " + "; ".join(probs)], cmd, trail
        trail.append("%s=%s" % (identity, spf["result"]))
        if i + 1 < len(case.calls) and spf["result"] != "pass":
            return spf, [], cmd, trail
    return spf, [], case.calls[-1][0], trail


# ---------------------------------------------------------------------------
# OpenSPF (rfc7208-tests.yml)
# ---------------------------------------------------------------------------
def openspf_zone(desc, zonedata, texts):
    lines = [
        "; OpenSPF rfc7208-tests.yml scenario %r, zone built by tests/conformance_spf.py" % desc,
        "; (spf-openspf/SOURCE.md rules: SPF->TXT copy, TXT: NONE, TIMEOUT, error.* names)",
        SOA,
    ]
    names = {}
    for owner, items in (zonedata or {}).items():
        names.setdefault(str(owner).lower().rstrip("."), (owner, items or []))
    for key, (owner, items) in names.items():
        entries = []       # (type, value), with "TIMEOUT" for the bare item
        has_txt = any(isinstance(it, dict) and "TXT" in it for it in items)
        gen = []
        for it in items:
            if not isinstance(it, dict):
                if str(it).upper() == "TIMEOUT":
                    entries.append("TIMEOUT")
                else:
                    raise ValueError("%s: unknown item %r" % (owner, it))
                continue
            for t, v in it.items():
                t = str(t).upper()
                if v == "NONE":
                    continue
                entries.append((t, v))
                if t == "SPF" and not has_txt and v != "TIMEOUT":
                    gen.append(("TXT", v))
        entries += gen       # pyspf yields the TXT copies last
        written = 0
        timeouts = []
        for t in TYPES + ("SPF",):
            recs, seen, state = [], False, "ok"
            for e in entries:
                if e == "TIMEOUT":
                    state = "ok" if seen else "timeout"
                    break
                et, ev = e
                if et != t:
                    continue
                seen = True
                if ev == "TIMEOUT":
                    state = "timeout"
                    break
                recs.append(ev)
            if state == "timeout":
                timeouts.append(t)
                continue
            for v in recs:
                if t in ("TXT", "SPF"):
                    v = v if isinstance(v, list) else [v]
                lines.append(rr_line(owner, t, v))
                written += 1
        real = [t for t in timeouts if t != "SPF"]
        if len(real) == len(TYPES):
            lines.append("; mxray-dns: %s ANY TIMEOUT" % zname(owner))
        else:
            for t in real:
                lines.append("; mxray-dns: %s %s TIMEOUT" % (zname(owner), t))
            if written == 0 and not real:
                lines.append("; mxray-dns: %s ANY NODATA" % zname(owner))
    # rule 5: absent names that begin with "error." time out
    errs = set()
    for t in texts:
        for m in re.finditer(r"(?<![A-Za-z0-9_.-])error\.[A-Za-z0-9_.-]*[A-Za-z0-9]", t, re.I):
            n = m.group(0).lower().rstrip(".")
            if n not in names:
                errs.add(n)
    for n in sorted(errs):
        lines.append("; mxray-dns: %s ANY TIMEOUT" % zname(n))
    return "\n".join(lines) + "\n"


def flat_texts(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from flat_texts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from flat_texts(v)
    elif obj is not None:
        yield str(obj)


def openspf_cases():
    with open(OPENSPF, "rb") as f:
        raw = f.read().decode("latin-1")
    cases = []
    for n, doc in enumerate(yaml.safe_load_all(raw), 1):
        if not doc:
            continue
        desc = doc.get("description", "scenario %d" % n)
        zone = os.path.join(REPRO, "openspf", "%02d-%s.zone" % (n, slug(desc)))
        write_file(zone, openspf_zone(desc, doc.get("zonedata"), list(flat_texts(doc))))
        for tid, t in doc["tests"].items():
            mf = t.get("mailfrom") or ""
            identity = "mailfrom" if mf else "helo"
            expl = t.get("explanation")
            cmd = mxray_cmd(zone, str(t["host"]), mf, str(t["helo"]),
                            default_exp="DEFAULT" if expl is not None else None)
            cases.append(Case("openspf", "%s/%s" % (desc, tid), t["result"],
                              None if expl is None else str(expl), [(cmd, identity)],
                              note="spec %s" % t.get("spec", "?")))
    return cases


# ---------------------------------------------------------------------------
# Stalwart (line-by-line replay)
# ---------------------------------------------------------------------------
def reverse_name(ip):
    return ipaddress.ip_address(ip).reverse_pointer


def mx_host(ip, pos):
    return "mx.%s.%d" % (str(ip).replace(":", "-"), pos)


def stalwart_zone(fname, state, errnames):
    lines = ["; Stalwart spf-stalwart/%s, DNS state at one expect: line "
             "(tests/conformance_spf.py)" % fname, SOA]
    for (name, t), vals in sorted(state.items()):
        if t == "PTR":
            owner = reverse_name(name)
        else:
            owner = name
        for v in vals:
            lines.append(rr_line(owner, t, [v] if t == "TXT" else v))
    for n in sorted(errnames):
        lines.append("; mxray-dns: %s ANY TIMEOUT" % zname(n))
    return "\n".join(lines) + "\n"


def stalwart_cases():
    cases = []
    zones = {}
    for fname in sorted(os.listdir(STALWART)):
        if not fname.endswith(".yml"):
            continue
        with open(os.path.join(STALWART, fname), "rb") as f:
            text = f.read().decode("utf-8")
        for bad in ("_parse_error.", "_invalid_record."):
            if bad in text:
                raise SystemExit("%s uses the mock name %s, which this harness does not "
                                 "model yet" % (fname, bad))
        errnames = set(m.group(0).lower().rstrip(".") for m in
                       re.finditer(r"[A-Za-z0-9_.-]*_dns_error\.[A-Za-z0-9_.-]*[A-Za-z0-9]", text))
        state = {}              # (name, TYPE) -> [values]; per FILE
        for si, chunk in enumerate(text.split("---\n"), 1):
            test_name, helo, mail_from, ip, num = "", "", "", "127.0.0.1", 0
            for line in chunk.split("\n"):
                line = line.strip()
                if line.startswith("-"):
                    line = line[1:].strip()

                def rec(rest):
                    name, val = rest.strip().split(" ", 1)
                    return name.strip().lower().rstrip("."), val

                if line.startswith("name:"):
                    test_name = line[5:].strip()
                elif line.startswith("spf:") or line.startswith("exp:"):
                    name, val = rec(line[4:])
                    state[(name, "TXT")] = [val]
                elif line.startswith("a:"):
                    name, val = rec(line[2:])
                    state[(name, "A")] = [x.strip() for x in val.split(",")]
                elif line.startswith("aaaa:"):
                    name, val = rec(line[5:])
                    state[(name, "AAAA")] = [x.strip() for x in val.split(",")]
                elif line.startswith("ptr:"):
                    name, val = rec(line[4:])
                    state[(str(ipaddress.ip_address(name)), "PTR")] = [
                        x.strip() for x in val.split(",")]
                elif line.startswith("mx:"):
                    name, val = rec(line[3:])
                    mxs = []
                    for pos, item in enumerate(val.split(",")):
                        addr = ipaddress.ip_address(item.strip())
                        host = mx_host(addr, pos)
                        state[(host, "A" if addr.version == 4 else "AAAA")] = [str(addr)]
                        mxs.append((pos + 1, host))
                    state[(name, "MX")] = mxs
                elif line.startswith("domain:"):
                    helo = line[7:].strip()
                elif line.startswith("sender:"):
                    mail_from = line[7:].strip()
                elif line.startswith("ip:"):
                    ip = line[3:].strip()
                elif line.startswith("expect:"):
                    num += 1
                    value = line[7:].strip()
                    result, _, exp = value.partition(" ")
                    exp = exp.strip()
                    ztext = stalwart_zone(fname, state, errnames)
                    h = hashlib.sha1(ztext.encode("latin-1")).hexdigest()[:8]
                    if h not in zones:
                        zones[h] = os.path.join(REPRO, "stalwart", "%s-%s.zone" % (
                            fname[:-4], h))
                        write_file(zones[h], ztext)
                    zone = zones[h]
                    calls = [(mxray_cmd(zone, ip, mail_from, helo, identity="helo",
                                        receiver=STALWART_RECEIVER), "helo"),
                             (mxray_cmd(zone, ip, mail_from, helo, identity="mailfrom",
                                        receiver=STALWART_RECEIVER),
                              "mailfrom" if mail_from else "helo")]
                    cases.append(Case("stalwart", "%s#%d %s/%d" % (
                        fname, si, test_name or "?", num), result.lower(), exp or None, calls))
    return cases


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
def fmt(cmd):
    return " ".join(shlex.quote(c) for c in cmd)


def main():
    cases = openspf_cases() + stalwart_cases()
    workers = max(2, min(16, (os.cpu_count() or 2) * 2))
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        outs = list(ex.map(execute, cases))
    counts = {}
    for case, (spf, probs, cmd, trail) in zip(cases, outs):
        c = counts.setdefault(case.suite, {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0})
        got = spf.get("result") if spf else None
        got_exp = spf.get("explanation") if spf else None
        exp_s = "/".join(case.expect) + (" %r" % case.expl if case.expl is not None else "")
        got_s = "%s" % got + (" %r" % got_exp if case.expl is not None else "")
        if len(case.calls) > 1:
            got_s += " (%s)" % ", ".join(trail)
        match = (not probs and got in case.expect and
                 (case.expl is None or got_exp == case.expl))
        key = (case.suite, case.name)
        if key in KNOWN:
            reason, does, does_exp = KNOWN[key]
            if match:
                status, why = "STALE", "KNOWN entry no longer needed: mxray agrees with the suite"
            elif not probs and got in does and (does_exp is None or got_exp == does_exp):
                status, why = "KNOWN", reason
            else:
                status, why = "DIFF", "known deviation expected mxray to say %s%s" % (
                    "/".join(does), " %r" % does_exp if does_exp else "")
        elif match:
            status, why = "OK", ""
        else:
            status = "DIFF"
            why = "; ".join(probs) if probs else ""
            if spf and not probs:
                why = "matched %r, lookups %s, void %s" % (spf.get("matched"), spf.get("lookups"),
                                                          spf.get("void_lookups"))
        c[status] += 1
        line = "%-5s %-8s %s: expected %s, got %s" % (status, case.suite, case.name, exp_s, got_s)
        if status == "OK" and not VERBOSE:
            print(line)
            continue
        print(line)
        if why:
            print("      %s" % why)
        if status in ("DIFF", "STALE"):
            if case.note:
                print("      (%s)" % case.note)
            print("      repro: %s" % fmt(cmd))
    print()
    total_bad = 0
    for suite in ("openspf", "stalwart"):
        c = counts.get(suite, {})
        bad = c.get("DIFF", 0) + c.get("STALE", 0)
        total_bad += bad
        print("%-8s %d passed, %d failed (%d known deviations among the passed%s)" % (
            suite, c.get("OK", 0) + c.get("KNOWN", 0), bad, c.get("KNOWN", 0),
            ", %d stale" % c["STALE"] if c.get("STALE") else ""))
    print("zone files: %s" % REPRO)
    return 0 if total_bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
