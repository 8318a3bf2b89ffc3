#!/usr/bin/python3
"""
conformance_arc.py - run the external ARC (RFC 8617) suites in
$MXRAY_CONFORMANCE through `mxray analyze --json --dns ZONE` and compare the
chain validation result (report field "arc", docs/schema.md) with what each
suite expects.  Suites are read in place, never copied or edited; each
folder's SOURCE.md says how to feed it:

  arc-valimail        arc-draft-validation-tests.yml: 171 tests, 10 scenarios,
                      each scenario's txt-records served as a root-SOA zone
                      (every other name NXDOMAIN).  cv: Pass -> pass,
                      None -> none, anything else (and an empty cv) -> fail.
  arc-valimail-sign   arc-draft-sign-tests.yml (optional): the expected
                      AS/AMS/AAR of each signing test are a known-good ARC set.
                      The harness prepends them to the test's message, checks
                      with its own small verifier (python3-cryptography) that
                      the rebuilt set verifies, then mxray must agree: pass, or
                      fail when the new seal says cv=fail (RFC 8617 §5.2 step 2).
  messages-mailauth   real Gmail ARC chains (SOURCE.md table), Google's ARC key
                      from dns-zone.txt, everything else NXDOMAIN.
  dkim-arc-stalwart   arc/*.txt: DNS block, blank line, message; clock
                      --now 1667843664; expected ARC pass.

Refused input (exit status 4, docs/mxray.1): an empty or whitespace-only
message (cv_empty) is not analyzed and counts as "none"; so does text without
header fields (cv_no_headers, message1.eml) as long as it holds no ARC field.

A line is OK when mxray's result matches and the report is consistent (on
pass: one instance per set, every seal "pass", the newest AMS "pass"; on fail:
a reason); KNOWN when it matches an entry of KNOWN (a documented disagreement
between a suite and RFC 8617, with what mxray does instead); DIFF otherwise.
A KNOWN entry that no longer happens is a failure (STALE) unless the entry
says either answer is acceptable.  Every DIFF prints the command that
reproduces it; zones and messages stay in /tmp/arc-repro.  Exit 0 only when
nothing is DIFF or STALE.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import harness
from harness import atomic_write, body_of, crlf, header_fields


def write_zone(path, dns):
    """The suites' JSON and YAML key texts are Unicode: written as UTF-8."""
    return harness.write_zone(path, dns, encoding="utf-8")

CONF = os.environ.get("MXRAY_CONFORMANCE", "")
MXRAY = os.environ.get("MXRAY", "")
NEEDED = ["arc-valimail", "messages-mailauth", "dkim-arc-stalwart"]

try:
    import yaml
except ImportError:
    yaml = None

if not CONF or not all(os.path.isdir(os.path.join(CONF, s)) for s in NEEDED) or yaml is None:
    print("=" * 72)
    if yaml is None:
        print("SKIPPED: python3-yaml is not installed; the ARC suites are YAML")
    else:
        print("SKIPPED: ARC conformance suites not found at MXRAY_CONFORMANCE=%r" % CONF)
        print("         (need %s)" % ", ".join(NEEDED))
    print("         NOTHING WAS CHECKED")
    print("=" * 72)
    sys.exit(77)
if not MXRAY or not os.access(MXRAY, os.X_OK):
    print("conformance-arc: MXRAY not set or not executable", file=sys.stderr)
    sys.exit(1)

STALWART_NOW = 1667843664   # dkim-arc-stalwart/SOURCE.md: 2022-11-07T17:54:24Z
REPRO = "/tmp/arc-repro"
SUITES = ["arc-valimail", "arc-valimail-sign", "messages-mailauth", "dkim-arc-stalwart"]

# ---------------------------------------------------------------------------
# Documented disagreements: (suite, test) -> (reason, results mxray may give
# instead, regex its "reason" must match, either_ok).  either_ok: the source
# documents both answers as acceptable, so agreeing with the suite is not STALE.
# ---------------------------------------------------------------------------
KNOWN = {
    ("dkim-arc-stalwart", "arc/002.txt"): (
        "i=1 is sealed and signed with a=ed25519-sha256 (scamorza.org); dkim-arc-stalwart/"
        "SOURCE.md documents both answers as acceptable (Stalwart: pass, dkimpy: fail "
        "'unknown signature algorithm').  RFC 8617 §4.1.2 gives the AMS the syntax and "
        "semantics of DKIM-Signature and §4.1.3 defines the AS a= by reference to RFC 6376 "
        "§3.5, whose algorithm set RFC 8463 extends with ed25519-sha256; an analyzer that "
        "only accepts rsa-sha256 in ARC reports fail",
        {"fail"}, r"(?i)ed25519|algorithm|rsa-sha256", True),
    ("arc-valimail", "ams_fields_c_na"): (
        "the AMS has no c= tag, so RFC 6376 §3.5 (inherited by RFC 8617 §4.1.2) makes it "
        "simple/simple; but its b= was computed over RELAXED header canonicalization. The ValiMail HEAD expects Pass, the older revision vendored by Mail::DKIM expects "
        "Fail (arc-valimail/SOURCE.md); RFC 6376 gives Fail",
        {"fail"}, r"(?i)header", False),
}



def proof_c_na(case):
    """The premise of the ams_fields_c_na entry, checked on the bytes."""
    if serialization is None:
        return False, "python3-cryptography is missing: premise not checked"
    with open(case.msg_path, "rb") as f:
        data = f.read()
    raw = [r for n, r in header_fields(data) if n == "arc-message-signature"][0]
    rel = ams_verify(data, case.dns, raw, "relaxed/relaxed") is None
    sim = ams_verify(data, case.dns, raw, "simple/simple") is None
    return rel and not sim, ("harness: the AMS verifies as relaxed/relaxed: %s, as "
                             "simple/simple: %s" % (rel, sim))


# KNOWN entries whose premise the harness checks on every run (else DIFF)
PROOF = {("arc-valimail", "ams_fields_c_na"): proof_c_na}

# ---------------------------------------------------------------------------
# Helpers independent of mxray
# ---------------------------------------------------------------------------


def tags(value):
    """Tag list -> dict (first of a duplicate wins); b/bh/p lose all whitespace."""
    out = {}
    for part in re.sub(r"\r?\n", "", value).split(";"):
        if "=" not in part:
            continue
        k, v = part.split("=", 1)
        k, v = k.strip(), v.strip()
        if k in ("b", "bh", "p"):
            v = re.sub(r"\s+", "", v)
        out.setdefault(k, v)
    return out


def has_arc_field(data):
    return any(n in ("arc-seal", "arc-message-signature", "arc-authentication-results")
               for n, _ in header_fields(data))


# --- DNS zone files (docs/dns.md): root SOA, every absent name NXDOMAIN ------
def slug(s):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s).strip("_")


# ---------------------------------------------------------------------------
# The harness's own ARC verifier (RFC 8617 §5.2 on top of RFC 6376), used only
# to prove that the sets rebuilt from the signing suite are genuine before
# mxray is asked about them, and self-checked on a real Gmail chain first.
# ---------------------------------------------------------------------------
try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.exceptions import InvalidSignature
except ImportError:
    serialization = None

WSP = re.compile(rb"[ \t]+")


def canon_header_relaxed(raw):
    name, value = raw.split(b":", 1)
    value = re.sub(rb"\r\n(?=[ \t])", b"", value)
    value = value[:-2] if value.endswith(b"\r\n") else value
    value = WSP.sub(b" ", value).strip(b" ")
    return name.strip().lower() + b":" + value + b"\r\n"


def canon_header(raw, relaxed):
    return canon_header_relaxed(raw) if relaxed else raw


def canon_body(body, relaxed):
    lines = body.split(b"\r\n")
    if body.endswith(b"\r\n"):
        lines = lines[:-1]
    if relaxed:
        lines = [WSP.sub(b" ", l).rstrip(b" ") for l in lines]
    while lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return b"" if relaxed else b"\r\n"
    return b"\r\n".join(lines) + b"\r\n"


def blank_b(raw):
    return re.sub(rb"((?:^|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*", rb"\1", raw.rstrip(b"\r\n"))


def rsa_verify(pem_p, sig_b64, data):
    try:
        key = serialization.load_der_public_key(base64.b64decode(pem_p))
        key.verify(base64.b64decode(sig_b64), data, padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def key_for(t, dns):
    recs = dns.get(("%s._domainkey.%s" % (t.get("s", ""), t.get("d", ""))).lower())
    return tags(recs[0]).get("p") if recs else None


def ams_verify(data, dns, ams_raw, canon=None):
    """None when the ARC-Message-Signature field ams_raw verifies over data (with
    its own c=, or canon when given), else what fails."""
    data = crlf(data)
    fields = header_fields(data)
    ams = tags(ams_raw.decode("latin-1").split(":", 1)[1])
    hc, bc = ((canon or ams.get("c", "simple/simple")) + "/simple").split("/")[:2]
    bh = base64.b64encode(hashlib.sha256(canon_body(body_of(data), bc == "relaxed"))
                          .digest()).decode()
    if bh != ams.get("bh"):
        return "body hash"
    used, hin = set(), b""
    for h in ams.get("h", "").split(":"):
        h = h.strip().lower()
        for j in range(len(fields) - 1, -1, -1):
            if j not in used and fields[j][0] == h:
                used.add(j)
                hin += canon_header(fields[j][1], hc == "relaxed")
                break
    hin += canon_header(blank_b(ams_raw) + b"\r\n", hc == "relaxed")[:-2]
    p = key_for(ams, dns)
    if not p or not rsa_verify(p, ams.get("b", ""), hin):
        return "signature"
    return None


def own_arc_verify(data, dns):
    """(result, detail): 'pass' / 'fail' / 'none' as RFC 8617 §5.2 describes it,
    rsa-sha256 only.  Enough for well-formed chains; not a conformance oracle."""
    data = crlf(data)
    fields = header_fields(data)
    sets = {}
    for idx, (name, raw) in enumerate(fields):
        if name not in ("arc-seal", "arc-message-signature", "arc-authentication-results"):
            continue
        value = raw.decode("latin-1").split(":", 1)[1]
        if name == "arc-authentication-results":
            m = re.match(r"\s*i\s*=\s*(\d+)\s*;", value)
            iv = m.group(1) if m else ""
        else:
            iv = tags(value).get("i", "")
        if not iv.isdigit():
            return "fail", "%s without i=" % name
        i = int(iv)
        if name in sets.setdefault(i, {}):
            return "fail", "duplicate %s i=%d" % (name, i)
        sets[i][name] = (idx, raw)
    if not sets:
        return "none", "no ARC sets"
    n = max(sets)
    if sorted(sets) != list(range(1, n + 1)) or any(len(s) != 3 for s in sets.values()):
        return "fail", "incomplete sets"
    seals = {i: tags(sets[i]["arc-seal"][1].decode("latin-1").split(":", 1)[1]) for i in sets}
    if seals[n].get("cv") == "fail":
        return "fail", "newest seal says cv=fail"
    for i in range(1, n + 1):
        if seals[i].get("cv") != ("none" if i == 1 else "pass"):
            return "fail", "seal %d cv=%s" % (i, seals[i].get("cv"))

    # newest AMS
    why = ams_verify(data, dns, sets[n]["arc-message-signature"][1])
    if why:
        return "fail", "AMS %d %s" % (n, why)
    # every AS, newest first
    for i in range(n, 0, -1):
        sin = b""
        for j in range(1, i + 1):
            for name in ("arc-authentication-results", "arc-message-signature", "arc-seal"):
                raw = sets[j][name][1]
                if j == i and name == "arc-seal":
                    sin += canon_header_relaxed(blank_b(raw) + b"\r\n")[:-2]
                else:
                    sin += canon_header_relaxed(raw)
        p = key_for(seals[i], dns)
        if not p or not rsa_verify(p, seals[i].get("b", ""), sin):
            return "fail", "AS %d signature" % i
    return "pass", "%d set(s) verify" % n


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------
class Case:
    def __init__(self, suite, name, msg_path, zone, expected, now=None, trust=(),
                 note="", expect_trusted=None, dns=None):
        self.suite, self.name, self.msg_path, self.zone = suite, name, msg_path, zone
        self.dns = dns
        self.expected, self.now, self.trust, self.note = expected, now, list(trust), note
        self.expect_trusted = expect_trusted    # None, or True/False for every instance


CASES = []
NOTES = []


def cv_word(cv):
    """arc-valimail/SOURCE.md step 3/4: Pass -> pass, None -> none, else (and '') fail."""
    w = ("" if cv is None else str(cv)).strip().lower()
    return w if w in ("pass", "none") else "fail"


def read_owner_tab(path, sep="\t"):
    dns = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith(";"):
                continue
            owner, value = line.split(sep, 1)
            dns.setdefault(owner.strip().lower().rstrip("."), []).append(value)
    return dns


# --- arc-valimail validation ---------------------------------------------------
AV = os.path.join(CONF, "arc-valimail")
with open(os.path.join(AV, "arc-draft-validation-tests.yml"), encoding="utf-8") as f:
    scenarios = [d for d in yaml.safe_load_all(f) if d]
for sc in scenarios:
    dns = {k.lower(): [v] for k, v in (sc.get("txt-records") or {}).items()}
    zone = write_zone(os.path.join(REPRO, "valimail", slug(sc["description"]) + ".zone"), dns)
    for tname, t in sc["tests"].items():
        msg = (t.get("message") or "").replace("\r\n", "\n").replace("\n", "\r\n")
        path = os.path.join(REPRO, "valimail", tname + ".eml")
        atomic_write(path, msg.encode("utf-8"))
        CASES.append(Case("arc-valimail", tname, path, zone, cv_word(t.get("cv")), dns=dns,
                          note="cv %r" % t.get("cv") if cv_word(t.get("cv")) == "fail"
                          and str(t.get("cv") or "").lower() != "fail" else ""))

# --- messages-mailauth ------------------------------------------------------------
MA = os.path.join(CONF, "messages-mailauth")
MA_DNS = read_owner_tab(os.path.join(MA, "dns-zone.txt"))
MA_ZONE = write_zone(os.path.join(REPRO, "mailauth", "google-arc.zone"), MA_DNS)
MA_EXPECT = {   # messages-mailauth/SOURCE.md "ARC expected (offline, Google key)"
    "arc-pass.eml": "pass", "arc-pass2.eml": "pass", "arc-fail.eml": "fail",
    "arc-fail2.eml": "fail", "arc-fail3.eml": "fail", "authtest.eml": "pass",
    "message3.eml": "pass", "bimi.eml": "pass", "zbimi.eml": "pass",
    # n/a in the table: no ARC field at all, so no chain
    "message1.eml": "none", "message2.eml": "none", "message4.eml": "none",
    "zproov.eml": "none",
}
for fname in sorted(MA_EXPECT):
    CASES.append(Case("messages-mailauth", fname, os.path.join(MA, fname), MA_ZONE,
                      MA_EXPECT[fname]))
# --trust-arc: the same chain, its sealer named (and not named) as trusted
CASES.append(Case("messages-mailauth", "arc-pass.eml --trust-arc google.com",
                  os.path.join(MA, "arc-pass.eml"), MA_ZONE, "pass", trust=["google.com"],
                  expect_trusted=True))
CASES.append(Case("messages-mailauth", "arc-pass.eml --trust-arc example.org",
                  os.path.join(MA, "arc-pass.eml"), MA_ZONE, "pass", trust=["example.org"],
                  expect_trusted=False))

# --- dkim-arc-stalwart arc/ --------------------------------------------------------
ST = os.path.join(CONF, "dkim-arc-stalwart", "arc")
for fname in sorted(os.listdir(ST)):
    if not fname.endswith(".txt"):
        continue
    with open(os.path.join(ST, fname), "rb") as f:
        raw = f.read()
    dnspart, msg = raw.split(b"\n\n", 1)
    dns = {}
    for line in dnspart.decode("utf-8").splitlines():
        if line.strip():
            owner, value = line.split(" ", 1)
            dns.setdefault(owner.lower().rstrip("."), []).append(value)
    zone = write_zone(os.path.join(REPRO, "stalwart", fname[:-4] + ".zone"), dns)
    path = os.path.join(REPRO, "stalwart", fname[:-4] + ".eml")
    atomic_write(path, crlf(msg))
    CASES.append(Case("dkim-arc-stalwart", "arc/" + fname, path, zone, "pass", now=STALWART_NOW))

# --- arc-valimail signing suite: known-good sets, rebuilt and re-verified ----------
SELFCHECK = []
SIGN_NOTE = None
if serialization is None:
    SIGN_NOTE = "python3-cryptography is missing: the signing-suite sets were NOT checked"
else:
    with open(os.path.join(MA, "arc-pass.eml"), "rb") as f:
        r, why = own_arc_verify(f.read(), MA_DNS)
    with open(os.path.join(MA, "arc-fail.eml"), "rb") as f:
        r2, why2 = own_arc_verify(f.read(), MA_DNS)
    ok = r == "pass" and r2 == "fail"
    SELFCHECK.append((ok, "harness ARC verifier: arc-pass.eml %s (%s), arc-fail.eml %s (%s)"
                      % (r, why, r2, why2)))
    if not ok:
        SIGN_NOTE = "harness verifier self-check failed: signing-suite sets NOT checked"

if SIGN_NOTE is None:
    with open(os.path.join(AV, "arc-draft-sign-tests.yml"), encoding="utf-8") as f:
        sign_scen = [d for d in yaml.safe_load_all(f) if d]

    def fold(value, join_b):
        """A header value written over several YAML lines, folded at each line break;
        join_b: continuation lines of a b= value are glued on without a fold."""
        out = ""
        for l in (l.strip() for l in value.strip().split("\n")):
            if not l:
                continue
            if out and join_b and re.match(r"\s*b\s*=", out.rsplit(";", 1)[-1]):
                out += l
            else:
                out += ("\r\n " if out else "") + l
        return out

    for sc in sign_scen:
        dns = {k.lower(): [v] for k, v in (sc.get("txt-records") or {}).items()}
        zone = write_zone(os.path.join(REPRO, "valimail-sign", slug(sc["description"]) + ".zone"),
                          dns)
        for tname, t in sc["tests"].items():
            base = crlf(t["message"].encode("utf-8"))
            chosen = None
            if not (t.get("AS") or "").strip():
                # no_additional_sig: the newest seal already says cv=fail, so a signer
                # adds nothing; the message as it is must fail (RFC 8617 §5.2 step 2)
                r, why = own_arc_verify(base, dns)
                path = os.path.join(REPRO, "valimail-sign", tname + ".eml")
                atomic_write(path, base)
                CASES.append(Case("arc-valimail-sign", tname, path, zone, r,
                                  note="no new set expected; harness verifier: " + why))
                continue
            for join_b in (False, True):
                hdr = ("ARC-Seal: %s\r\nARC-Message-Signature: %s\r\n"
                       "ARC-Authentication-Results: %s\r\n" %
                       (fold(t["AS"], join_b), fold(t["AMS"], join_b), fold(t["AAR"], False)))
                msg = hdr.encode("utf-8") + base
                cv = tags(t["AS"]).get("cv", "")
                r, why = own_arc_verify(msg, dns)
                if cv == "fail":
                    # RFC 8617 §5.1.2: a cv=fail seal covers its own set only; check it so
                    fl = header_fields(msg)
                    sin = (canon_header_relaxed(fl[2][1]) + canon_header_relaxed(fl[1][1]) +
                           canon_header_relaxed(blank_b(fl[0][1]) + b"\r\n")[:-2])
                    p = tags(dns["%s._domainkey.%s" % (sc["sel"], sc["domain"])][0])["p"]
                    good = rsa_verify(p, tags(t["AS"])["b"], sin)
                    if good:
                        chosen, exp, why = msg, "fail", "seal verifies over its own set, cv=fail"
                        break
                elif r == "pass":
                    chosen, exp = msg, "pass"
                    break
            if chosen is None:
                NOTES.append("arc-valimail-sign %s: the harness could not rebuild a set that "
                             "verifies (%s); not checked" % (tname, why))
                continue
            path = os.path.join(REPRO, "valimail-sign", tname + ".eml")
            atomic_write(path, chosen)
            CASES.append(Case("arc-valimail-sign", tname, path, zone, exp, note=why))


# ---------------------------------------------------------------------------
# Run and compare
# ---------------------------------------------------------------------------
JQ = " | jq .arc" if shutil.which("jq") else ""


def run(case):
    cmd = [MXRAY, "analyze", "--json", "--dns", case.zone]
    for d in case.trust:
        cmd += ["--trust-arc", d]
    if case.now is not None:
        cmd += ["--now", str(case.now)]
    cmd.append(case.msg_path)
    shown = " ".join(cmd) + JQ
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        p = subprocess.CompletedProcess(cmd, -1, b"", str(e).encode())
    doc = None
    try:
        doc = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        pass
    return p, doc, shown


def check_report(case, arc):
    """Consistency of the arc object beyond its result (list of problems)."""
    probs = []
    res = arc.get("result")
    insts = arc.get("instances")
    if not isinstance(insts, list):
        return ["instances is %r" % (insts,)]
    if res == "none":
        if arc.get("sets") not in (0, None) or insts:
            probs.append("result none with sets=%r, %d instance(s)" % (arc.get("sets"), len(insts)))
    elif res == "pass":
        n = arc.get("sets")
        if [x.get("instance") for x in insts] != list(range(1, (n or 0) + 1)) or not n:
            probs.append("pass but sets=%r, instances %r" % (n, [x.get("instance") for x in insts]))
        bad = [x.get("instance") for x in insts if x.get("as_result") != "pass"]
        if bad:
            probs.append("pass but as_result not pass for instance(s) %s" % bad)
        if insts and insts[-1].get("ams_result") != "pass":
            probs.append("pass but newest ams_result %r" % insts[-1].get("ams_result"))
        if arc.get("failed_instance") is not None:
            probs.append("pass but failed_instance %r" % arc.get("failed_instance"))
    elif res == "fail":
        if not isinstance(arc.get("reason"), str) or not arc.get("reason"):
            probs.append("fail without a reason")
    if case.expect_trusted is not None:
        tr = [x.get("trusted") for x in insts]
        if not tr or any(v is not case.expect_trusted for v in tr):
            probs.append("trusted %r, expected %r for every instance" % (tr, case.expect_trusted))
    return probs


counts = {s: {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0} for s in SUITES}
bad_lines = []


def emit(case, got, status, why=""):
    counts[case.suite][status] += 1
    line = "%-17s %-44s expected %-4s got %-9s %s" % (case.suite, case.name, case.expected,
                                                     got, status)
    if why:
        line += "  -- " + why
    print(line)
    if status in ("DIFF", "STALE"):
        bad_lines.append(line)


for ok, what in SELFCHECK:
    print("%-17s %-44s %s -- %s" % ("arc-valimail-sign", "verifier-selfcheck",
                                    "OK" if ok else "HARNESS ERROR", what))
if SIGN_NOTE:
    print("NOTE:", SIGN_NOTE)
for n in NOTES:
    print("NOTE:", n)

for case in CASES:
    p, doc, cmd = run(case)
    with open(case.msg_path, "rb") as f:
        data = f.read()
    if p.returncode == 4:
        kind = ((doc or {}).get("input") or {}).get("kind")
        empty = not data.strip()
        if (kind == "empty" and empty) or (kind == "not-a-message" and not has_arc_field(data)):
            got = "none"
            status = "OK" if case.expected == "none" else "DIFF"
            emit(case, got, status, "refused (exit 4, input.kind %s): not analyzed, no chain%s"
                 % (kind, "" if status == "OK" else "  [%s]" % cmd))
        else:
            emit(case, "refused", "DIFF", "exit 4, input.kind %r: %s  [%s]" % (
                kind, p.stderr.decode("utf-8", "replace").strip()[:200], cmd))
        continue
    if p.returncode != 0 or doc is None:
        emit(case, "error", "DIFF", "mxray exit %d: %s  [%s]" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:300], cmd))
        continue
    if "arc" not in doc:
        emit(case, "-", "DIFF", "report has no \"arc\" key  [%s]" % cmd)
        continue
    arc = doc["arc"]
    if arc is None:
        got, probs, reason = "none", [], None
    elif isinstance(arc, dict):
        got = arc.get("result")
        probs = check_report(case, arc)
        reason = arc.get("reason")
    else:
        emit(case, repr(arc)[:9], "DIFF", "arc is neither null nor an object  [%s]" % cmd)
        continue
    key = (case.suite, case.name)
    detail = "reason: %s" % reason if reason else ""
    if case.note:
        detail = (detail + "; " if detail else "") + case.note
    if key in KNOWN:
        why, does, rx, either = KNOWN[key]
        if key in PROOF:
            proved, ptxt = PROOF[key](case)
            if not proved:
                emit(case, got, "DIFF", "the KNOWN entry's premise does not hold (%s)  [%s]"
                     % (ptxt, cmd))
                continue
            why += " (%s)" % ptxt
        if got == case.expected and not probs:
            if either:
                emit(case, got, "OK", "(KNOWN entry allows %s too)" % "/".join(sorted(does)))
            else:
                emit(case, got, "STALE", "KNOWN entry no longer needed  [%s]" % cmd)
        elif got in does and re.search(rx, reason or "") and not probs:
            emit(case, got, "KNOWN", why + "; mxray reason: %s" % reason)
        else:
            emit(case, got, "DIFF", "; ".join(probs + [detail, "known deviation expected %s "
                                                       "matching /%s/" % ("/".join(does), rx)])
                 + "  [%s]" % cmd)
        continue
    if got == case.expected and not probs:
        emit(case, got, "OK", detail if got == "fail" else "")
    else:
        emit(case, got, "DIFF", "; ".join(probs + ([detail] if detail else [])) + "  [%s]" % cmd)

print()
total = {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0}
for s in SUITES:
    c = counts[s]
    for k in total:
        total[k] += c[k]
    print("%-17s %3d passed, %3d failed, %3d known deviations%s" % (
        s, c["OK"], c["DIFF"] + c["STALE"], c["KNOWN"],
        ", %d stale" % c["STALE"] if c["STALE"] else ""))
selfcheck_bad = sum(1 for ok, _ in SELFCHECK if not ok)
print("%d passed, %d failed, %d known deviations%s" % (
    total["OK"], total["DIFF"] + total["STALE"] + selfcheck_bad, total["KNOWN"],
    " (harness self-check failed)" if selfcheck_bad else ""))
print("zones and messages for reproduction: %s" % REPRO)
if bad_lines:
    print("\nDIFF/STALE:")
    for l in bad_lines:
        print("  " + l)
sys.exit(0 if total["DIFF"] + total["STALE"] + selfcheck_bad == 0 else 1)
