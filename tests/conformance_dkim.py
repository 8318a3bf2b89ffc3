#!/usr/bin/python3
"""
conformance_dkim.py - run every DKIM message of the external suites in
$MXRAY_CONFORMANCE through `mxray analyze --json` with that suite's keys, and
compare each DKIM-Signature's two verdicts with what the suite expects.

Suites (each folder's SOURCE.md says how to feed it; read in place, never
copied or edited):

  dkim-rfc-examples   RFC 6376 / RFC 8463 worked examples   dns-zone.txt
  dkim-mimekit        real Gmail messages + RFC 8463 A.3    gmail.pub + ../dkim-rfc-examples
  dkim-arc-stalwart   dkim/*.txt and the DKIM-Signatures    "DNS block, blank line, message";
                      of arc/*.txt                          clock 1667843664
  dkim-dkimpy         verify-cases.tsv; its key records     "owner=value || ..." per row
                      (keyrec:*) and sign->verify round
                      trips (roundtrip:*, needs python3-cryptography)
  dkim-mail-dkim      Mail::DKIM t/corpus                   FAKE_DNS.dat (NXDOMAIN, timeouts...)
  dkim-opendkim       libopendkim verify tests              dns-zone.txt, bytes as they are

Two layers per signature (README.md "How to wire them", dkim-mail-dkim/SOURCE.md):

  crypto  mxray "result" vs the suite's verdict mapped to RFC 8601 words
          (pass -> pass, fail -> fail, invalid / CANTVRFY / NOKEY ... -> permerror,
          DNS timeout / SERVFAIL -> temperror, no signature -> none).  When a suite
          says "invalid" only because of the clock (expired x=, future t=), that is
          a policy verdict: the crypto layer is then expected to pass.
  policy  mxray "policy_result" vs RFC 6376 + RFC 8301, derived here from the
          signature and the key the suite publishes: rsa-sha1 (RFC 8301 §3.1),
          RSA under 1024 bits (§3.2), expired x= / future t= (RFC 6376 §3.5) turn a
          cryptographic pass into "policy"; v= missing or not 1 is a permerror
          (RFC 6376 §3.5, §6.1.1); otherwise policy = crypto.

A line is OK when both layers match; KNOWN when it matches an entry of KNOWN
(a documented disagreement between the suite and the RFCs, with what mxray
does instead in MXRAY_DOES); DIFF otherwise.  A KNOWN entry that no longer
happens is a failure too (STALE), so the list stays true.  Exit 0 only when
there is no DIFF and no STALE.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

from harness import body_of, crlf, header_fields, write_zone

CONF = os.environ.get("MXRAY_CONFORMANCE", "")
MXRAY = os.environ.get("MXRAY", "")
SUITES = ["dkim-rfc-examples", "dkim-mimekit", "dkim-arc-stalwart", "dkim-dkimpy",
          "dkim-mail-dkim", "dkim-opendkim"]

if not CONF or not all(os.path.isdir(os.path.join(CONF, s)) for s in SUITES):
    print("=" * 72)
    print("SKIPPED: DKIM conformance suites not found at MXRAY_CONFORMANCE=%r" % CONF)
    print("         (need %s); NOTHING WAS CHECKED" % ", ".join(SUITES))
    print("=" * 72)
    sys.exit(77)
if not MXRAY or not os.access(MXRAY, os.X_OK):
    print("conformance-dkim: MXRAY not set or not executable", file=sys.stderr)
    sys.exit(1)

STALWART_NOW = 1667843664   # dkim-arc-stalwart/SOURCE.md: 2022-11-07T17:54:24Z
# "A current clock" for the suites whose expiry cases are meant to fail today
# (Mail::DKIM ignore_7: x= 2007-10-24; OpenDKIM t-test103 x= 2007, t-test104
# t= 2071).  Fixed so that the run is reproducible; any date 2008..2070 gives
# the same results.
CURRENT_NOW = 1780000000    # 2026-05-28
CLOCK_SKEW = 300            # analyzer/dkim.h MX_DKIM_CLOCK_SKEW_S

# ---------------------------------------------------------------------------
# Documented disagreements.  key (suite, file) or (suite, "file#N") for one
# signature -> why mxray differs from the suite (RFC section).  MXRAY_DOES
# holds what mxray reports instead, per signature (crypto, policy), or "none"
# (no DKIM-Signature seen); any other output is a DIFF.
# ---------------------------------------------------------------------------
PRE_RFC = ("pre-RFC signature without v= (or v=0.5, drafts ietf-00/01/05): RFC 6376 §3.5 makes "
           "v= REQUIRED and \"1\", §6.1.1 a signature without it PERMFAIL; Mail::DKIM still "
           "verifies the 2005-2007 draft syntax")
G_TAG = ("key g= tag (RFC 4871 granularity) was REMOVED by RFC 6376 (§3.6.1 lists no g=, "
         "§3.6.1/§6.1.2: unknown key tags MUST be ignored); Mail::DKIM still enforces it, "
         "dkimpy ignores it (README.md Known disagreements)")
DK = ("DomainKeys (DomainKey-Signature, RFC 4870, historic) is not DKIM: mxray reports no "
      "DKIM signature, as dkim-mail-dkim/SOURCE.md item 4 suggests for an RFC 6376 analyzer")
KNOWN = {}
MXRAY_DOES = {}


def known(suite, files, reason, does):
    for f in files:
        KNOWN[(suite, f)] = reason
        MXRAY_DOES[(suite, f)] = does


known("dkim-mail-dkim",
      ["good_ietf00_%d.txt" % i for i in range(1, 6)] +
      ["mine_ietf01_%d.txt" % i for i in range(1, 5)] +
      ["mine_ietf05_1.txt", "good_ietf01_1.txt", "good_ietf01_2.txt", "multiple_1.txt",
       "no_body_1.txt", "no_body_2.txt", "no_body_3.txt",
       "bad_ietf01_1.txt", "bad_ietf01_2.txt", "bad_ietf01_3.txt", "bad_1.txt"],
      PRE_RFC, ("permerror", "permerror"))
known("dkim-mail-dkim", ["badkey_8.txt", "badkey_9.txt", "badkey_12.txt", "badkey_13.txt"],
      G_TAG, ("pass", "policy"))
known("dkim-mail-dkim",
      ["good_dk_gmail.txt", "good_dk_yahoo.txt"] + ["good_dk_%d.txt" % i for i in range(1, 8)] +
      ["dk_headers_1.txt", "dk_headers_2.txt", "dk_multiple_1.txt"] +
      ["bad_dk_%d.txt" % i for i in range(1, 6)],
      DK, "none")
known("dkim-opendkim", ["t-test76.eml"],
      "OpenDKIM ignores a DKIM-Signature it cannot parse (DKIM_STAT_NOSIG, mapped \"none\" by "
      "SOURCE.md); RFC 6376 §6.1.1 makes a malformed signature PERMFAIL and RFC 8601 §2.7.1 "
      "\"none\" means the message was not signed, so mxray reports the field as permerror",
      ("permerror", "permerror"))
known("dkim-opendkim", ["t-test102.eml"],
      "CANTVRFY only because the test sets OpenDKIM's local MUSTBESIGNED header list "
      "(SOURCE.md: advisory only); RFC 6376 has no such rule: the signature verifies "
      "(rsa-sha1, so RFC 8301 §3.1 policy)", ("pass", "policy"))
known("dkim-opendkim", ["t-test149.eml"],
      "SYNTAX only because of OpenDKIM's FIXCRLF library flag (SOURCE.md: implementation-"
      "specific); RFC 6376 §3.4.3/§3.4.4 add the missing final CRLF and the signature verifies "
      "(rsa-sha1, so RFC 8301 §3.1 policy)", ("pass", "policy"))

ORDER = ("OpenDKIM stops before the cryptographic check (%s); RFC 6376 requires no such "
         "step and no order of checks, so mxray verifies, and the signature really does not "
         "verify (%s; dkimpy 1.1.4 also says not-pass, cases.tsv)")
known("dkim-opendkim", ["t-test63.eml"],
      ORDER % ("DKIM_STAT_INVALID: no From field", "body hash and header signature fail; "
               "RFC 6376 §3.5 h=: absent fields do not contribute to the hash; mxray also "
               "reports FROM_MISSING"), ("fail", "fail"))
known("dkim-opendkim", ["t-test66.eml"],
      ORDER % ("DKIM_STAT_INVALID: From field without an address",
               "body hash and header signature fail"), ("fail", "fail"))
known("dkim-opendkim", ["t-test98.eml"],
      ORDER % ("DKIM_STAT_CANTVRFY: l=340 exceeds the body; RFC 6376 §3.5 l= \"MUST NOT be "
               "larger than\" the body is a rule for signers",
               "mxray: body hash fails, diagnosis body_truncated (231 of 340 signed bytes "
               "remain)"), ("fail", "fail"))
known("dkim-opendkim", ["t-test103.eml", "t-test104.eml"],
      ORDER % ("DKIM_STAT_CANTVRFY: x= expired / t= in the future; RFC 6376 §3.5: verifiers "
               "MAY ignore such signatures", "the test wrote x=/t= into a signature whose b= "
               "does not cover them: body hash passes, header signature fails (checked "
               "independently with python3-cryptography)"), ("fail", "fail"))

# Suite verdicts that are about the clock only: the crypto layer must pass and
# the policy layer says policy (or permerror), RFC 6376 §3.5 x= / t=.
CLOCK_ONLY = {
    ("dkim-mail-dkim", "ignore_7.txt"): "x=1193229946 (2007-10-24) is past",
}


# ---------------------------------------------------------------------------
# Message and record helpers (independent of mxray)
# ---------------------------------------------------------------------------
def tags(value):
    """Tag list (RFC 6376 §3.2) -> dict, leniently; b/bh/p lose all whitespace."""
    out = {}
    v = re.sub(r"\r?\n", "", value)
    for part in v.split(";"):
        if "=" not in part:
            continue
        k, val = part.split("=", 1)
        k = k.strip()
        val = val.strip()
        if k in ("b", "bh", "p"):
            val = re.sub(r"\s+", "", val)
        out.setdefault(k, val)
    return out


def dkim_sigs(data):
    """Tag dicts of every DKIM-Signature field, top to bottom."""
    sigs = []
    for name, raw in header_fields(data):
        if name == "dkim-signature":
            sigs.append(tags(raw.decode("latin-1").split(":", 1)[1]))
    return sigs


def der_read(buf, pos):
    tag = buf[pos]
    ln = buf[pos + 1]
    pos += 2
    if ln & 0x80:
        n = ln & 0x7f
        ln = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    return tag, buf[pos:pos + ln], pos + ln


def rsa_bits(p):
    """Modulus size of a p= (SubjectPublicKeyInfo or PKCS#1 RSAPublicKey), or None."""
    try:
        der = base64.b64decode(p, validate=False)
        tag, seq, _ = der_read(der, 0)
        t1, first, rest = der_read(seq, 0)
        if t1 == 0x30:          # SPKI: AlgorithmIdentifier, BIT STRING
            _, bits, _ = der_read(seq, rest)
            _, inner, _ = der_read(bits[1:], 0)
            _, n, _ = der_read(inner, 0)
        else:                   # PKCS#1: INTEGER n, INTEGER e
            n = first
        return int.from_bytes(n, "big").bit_length()
    except Exception:
        return None


def key_info(txt):
    """(type, bits, testing) of a key record as the suite publishes it."""
    if txt is None or not isinstance(txt, str):
        return None
    t = tags(txt)
    k = t.get("k", "rsa").lower()
    flags = [f.strip() for f in t.get("t", "").split(":")]
    bits = rsa_bits(t.get("p", "")) if k == "rsa" and t.get("p") else None
    return {"type": k, "bits": bits, "testing": "y" in flags}


# ---------------------------------------------------------------------------
# DNS: zone files for mxray (docs/dns.md).  dns = {name: [value, ...] | special}
# where a value is the TXT text and special is NXDOMAIN / TIMEOUT / SERVFAIL.
# ---------------------------------------------------------------------------
def read_owner_tab(path):
    """dns-zone.txt of our own folders: owner<TAB>value, ';' comments."""
    dns = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith(";"):
                continue
            owner, value = line.split("\t", 1)
            dns.setdefault(owner.strip().lower(), []).append(value)
    return dns


# ---------------------------------------------------------------------------
# Running mxray
# ---------------------------------------------------------------------------
TMP = tempfile.mkdtemp(prefix="mxray-conf-dkim-")
_zone_n = [0]


def run_mxray(msg_path, dns, now):
    _zone_n[0] += 1
    zone = os.path.join(TMP, "z%03d.zone" % _zone_n[0])
    write_zone(zone, dns)
    cmd = [MXRAY, "analyze", "--json", "--dns", zone]
    if now is not None:
        cmd += ["--now", str(now)]
    cmd.append(msg_path)
    p = subprocess.run(cmd, capture_output=True)
    shown = " ".join(cmd)
    if p.returncode < 0 or p.returncode >= 5 or not p.stdout.strip():
        return None, "mxray exit %d: %s  [%s]" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:300], shown), shown
    try:
        return json.loads(p.stdout), None, shown
    except ValueError as e:
        return None, "mxray printed no JSON (%s)  [%s]" % (e, shown), shown


def find_key(doc, key):
    if isinstance(doc, dict):
        if key in doc:
            return doc[key]
        for v in doc.values():
            r = find_key(v, key)
            if r is not None:
                return r
    return None


# ---------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------
class Sig:
    """What one DKIM-Signature should give."""

    def __init__(self, suite_word, crypto, bh=None, hs=None, note=""):
        self.suite_word = suite_word    # the suite's own word, for the report
        self.crypto = set(crypto)
        self.policy = None              # filled by derive_policy()
        self.bh = bh                    # expected body_hash, or None
        self.hs = hs                    # expected header_signature, or None
        self.note = note
        self.tags = {}
        self.key = None


class Case:
    def __init__(self, suite, name, msg_path, dns, now, sigs, display=None):
        self.suite, self.name, self.msg_path = suite, name, msg_path
        self.dns, self.now = dns, now
        self.sigs = sigs                # list of Sig, or None for "no DKIM signature"
        self.display = display or name


def derive_policy(case):
    """RFC 6376 + RFC 8301 policy verdict for each signature (see the module doc)."""
    if case.sigs is None:
        return
    with open(case.msg_path, "rb") as f:
        parsed = dkim_sigs(f.read())
    for i, s in enumerate(case.sigs):
        t = parsed[i] if i < len(parsed) else {}
        s.tags = t
        name = "%s._domainkey.%s" % (t.get("s", "").lower(), t.get("d", "").lower())
        vals = case.dns.get(name)
        s.key = key_info(vals[0]) if isinstance(vals, list) and vals else None
        if s.policy is not None:
            continue
        if t.get("v") != "1":
            s.policy = {"permerror"} | (s.crypto & {"neutral"})
            continue
        if s.crypto != {"pass"}:
            s.policy = set(s.crypto)
            continue
        weak = []
        alg = t.get("a", "").lower()
        if alg == "rsa-sha1":
            weak.append("rsa-sha1")
        if alg.startswith("rsa") and s.key and s.key["bits"] and s.key["bits"] < 1024:
            weak.append("%d-bit key" % s.key["bits"])
        if case.now is not None:
            if re.fullmatch(r"\d+", t.get("x", "")) and int(t["x"]) < case.now:
                weak.append("expired x=")
            if re.fullmatch(r"\d+", t.get("t", "")) and int(t["t"]) > case.now + CLOCK_SKEW:
                weak.append("future t=")
        if weak:
            s.policy = {"policy"}
            s.note = (s.note + "; " if s.note else "") + "policy: " + ", ".join(weak)
        else:
            s.policy = {"pass"}


CASES = []


def add(case):
    derive_policy(case)
    CASES.append(case)


def P(word="pass", **kw):
    return Sig(word, ["pass"], bh=kw.pop("bh", "pass"), hs=kw.pop("hs", True), **kw)


# --- dkim-rfc-examples -------------------------------------------------------
RFC = os.path.join(CONF, "dkim-rfc-examples")
RFC_DNS = read_owner_tab(os.path.join(RFC, "dns-zone.txt"))
add(Case("dkim-rfc-examples", "rfc8463-A3-signed.eml",
         os.path.join(RFC, "rfc8463-A3-signed.eml"), RFC_DNS, None, [P(), P()]))
for f in ["rfc6376-A2-signed.eml", "rfc6376-A3-verified.eml"]:
    add(Case("dkim-rfc-examples", f, os.path.join(RFC, f), RFC_DNS, None,
             [Sig("fail", ["fail"], bh="fail", hs=False,
                  note="RFC 6376 App. A: bh= is the relaxed hash under c=simple/simple")]))
add(Case("dkim-rfc-examples", "rfc6376-A1-rfc8463-A1-unsigned.eml",
         os.path.join(RFC, "rfc6376-A1-rfc8463-A1-unsigned.eml"), RFC_DNS, None, None))

# --- dkim-mimekit ------------------------------------------------------------
MK = os.path.join(CONF, "dkim-mimekit")
with open(os.path.join(MK, "gmail.pub")) as f:
    gmail_p = "".join(l.strip() for l in f if not l.startswith("-----"))
MK_DNS = dict(RFC_DNS)
MK_DNS["20120113._domainkey.gmail.com"] = ["v=DKIM1; k=rsa; p=" + gmail_p]
for f, sigs in [("gmail.msg", [P()]),
                ("gmail-fail-body.msg", [Sig("fail", ["fail"], bh="fail")]),
                ("gmail-fail-headers.msg", [Sig("fail", ["fail"], bh="pass", hs=False)]),
                ("related.msg", [P()]),
                ("multipart-no-end-boundary.msg", [P()]),
                ("rfc8463-example.msg", [P(), P()])]:
    add(Case("dkim-mimekit", f, os.path.join(MK, f), MK_DNS, None, sigs))

# --- dkim-arc-stalwart -------------------------------------------------------
ST = os.path.join(CONF, "dkim-arc-stalwart")
ST_EXPECT = {
    "dkim/001.txt": [P(), P()],
    "dkim/002.txt": [P(note="p= is a PKCS#1 RSAPublicKey")],
    "dkim/003.txt": [P(), P()],
    "dkim/004.txt": [P()],
    "dkim/005.txt": [P(note="x=1667930064 not yet past at the suite's clock")],
    "dkim/006.txt": [P()],
    # SOURCE.md: pass, pass, and the 3rd fails body hash (that hop changed the body)
    "arc/001.txt": [P(), P(), Sig("fail", ["fail"], bh="fail")],
    # no upstream DKIM assertion; the message's own AAR i=1 and AR record dkim=pass
    # for this signature (the ARC chain over it validates upstream)
    "arc/002.txt": [P(note="AAR i=1 records dkim=pass")],
}
for rel, sigs in ST_EXPECT.items():
    with open(os.path.join(ST, rel), "rb") as f:
        data = f.read()
    block, msg = data.split(b"\n\n", 1)
    dns = {}
    for line in block.decode("latin-1").split("\n"):
        if line.strip():
            owner, value = line.split(" ", 1)
            dns.setdefault(owner.lower(), []).append(value)
    path = os.path.join(TMP, "stalwart-" + rel.replace("/", "-"))
    with open(path, "wb") as f:
        f.write(msg)
    add(Case("dkim-arc-stalwart", rel, path, dns, STALWART_NOW, sigs))

# --- dkim-dkimpy -------------------------------------------------------------
DP = os.path.join(CONF, "dkim-dkimpy")
DPD = os.path.join(DP, "data")


def data_text(name):
    with open(os.path.join(DPD, name), encoding="latin-1") as f:
        return f.read().rstrip("\n")


with open(os.path.join(DP, "verify-cases.tsv"), encoding="utf-8") as f:
    rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
for row in rows:
    msg, dnsspec, expected = row[0], row[1], row[2]
    dns = {}
    if dnsspec != "(none)":
        for item in dnsspec.split(" || "):
            owner, value = item.split("=", 1)
            m = re.fullmatch(r"<contents of data/(.+)>", value)
            if m:
                value = data_text(m.group(1))
            if re.search(r"[^A-Za-z0-9._-]", owner):
                # test.message.baddomain: d=legitimate.com(.attacker.com is not a
                # domain name; it cannot be written in a zone file, and mxray must
                # not look it up (docs/dns.md BAD_NAME), so it is left out.
                continue
            dns.setdefault(owner.lower(), []).append(value)
    if expected.startswith("none"):
        sigs = None
    elif expected.startswith("fail (permerror"):
        sigs = [Sig("fail (permerror: invalid d=)", ["permerror", "fail"],
                    note="SOURCE.md: permerror right, fail acceptable")]
    else:
        sigs = [P() for _ in expected.split(",")]
    add(Case("dkim-dkimpy", msg, os.path.join(DPD, msg), dns, None, sigs))

# Key-record parser tests (SOURCE.md item 4): rfc6376.signed.rsa.msg is signed
# with test.private, whose public half is test.txt; badversion/badk/test_bad/
# test_tlsrpt/test2 carry that same key with one defect each.
for keyfile, sig in [
        ("test2.txt", P(note="no k= -> rsa implied")),
        ("badversion.txt", Sig("invalid", ["permerror"], note="v=DKIM1: (typo) -> key invalid")),
        ("badk.txt", Sig("invalid", ["permerror"], note="k=ed25519-sha256 unknown key type")),
        ("test_bad.txt", Sig("invalid", ["permerror"], note="p= not a valid key")),
        ("test_tlsrpt.txt", Sig("invalid", ["permerror"],
                                note="s=tlsrpt: RFC 6376 §3.6.1 s= lacks email/*"))]:
    add(Case("dkim-dkimpy", "keyrec:" + keyfile, os.path.join(DPD, "rfc6376.signed.rsa.msg"),
             {"test._domainkey.football.example.com": [data_text(keyfile)]}, CURRENT_NOW, [sig]))

# --- dkim-mail-dkim ----------------------------------------------------------
MD = os.path.join(CONF, "dkim-mail-dkim")
FAKE = {}
with open(os.path.join(MD, "FAKE_DNS.dat"), encoding="latin-1") as f:
    for line in f:
        line = line.rstrip("\r\n")
        if not line.strip() or line.lstrip()[:1] in ("#", ";"):
            continue
        owner, value = re.split(r"\s+", line, 1)
        owner = owner.lower()
        if value == "NXDOMAIN":
            FAKE[owner] = "NXDOMAIN"
        elif value == "~~Query timed out~~":
            FAKE[owner] = "TIMEOUT"
        elif value == "~~SERVFAIL~~":
            FAKE[owner] = "SERVFAIL"
        elif value == '""':
            FAKE[owner] = [""]
        else:
            FAKE.setdefault(owner, []).append(value)
MD_MAP = {"pass": ["pass"], "fail": ["fail"], "invalid": ["permerror"]}
with open(os.path.join(MD, "expected.tsv"), encoding="utf-8") as f:
    md_rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
for row in md_rows:
    fname, verdict, status = row[0], row[1], row[2]
    path = os.path.join(MD, "corpus", fname)
    with open(path, "rb") as f:
        parsed = dkim_sigs(f.read())
    word = verdict + (" (skipped upstream)" if status != "active" else "")
    if not parsed:                  # DomainKeys only
        sigs = [Sig("DK " + word, MD_MAP[verdict])]
    elif fname == "multiple_2.txt":  # SOURCE.md: invalid, pass, fail (+ "synerr")
        sigs = [Sig("invalid", ["permerror"]), P(), Sig("fail", ["fail"]),
                Sig("invalid (synerr)", ["permerror"])]
    else:
        sigs = []
        for t in parsed:
            crypto = list(MD_MAP[verdict])
            if fname in ("badkey_14.txt", "badkey_15.txt"):
                crypto = ["temperror"]
            elif verdict == "invalid" and t.get("v") != "1":
                crypto = ["permerror", "neutral"]   # SOURCE.md item 2
            sig = Sig(word if len(parsed) == 1 else word + " (overall)", crypto,
                      bh="pass" if verdict == "pass" else None,
                      hs=True if verdict == "pass" else None)
            sigs.append(sig)
    if ("dkim-mail-dkim", fname) in CLOCK_ONLY:
        sigs = [Sig(verdict, ["pass"], bh="pass", hs=True,
                    note=CLOCK_ONLY[("dkim-mail-dkim", fname)])]
        sigs[0].policy = {"policy", "permerror"}
    case = Case("dkim-mail-dkim", fname, path, FAKE, CURRENT_NOW, sigs)
    if not parsed:
        case.dk_only = True
    add(case)

# Derived (not upstream): badkey_1..7 and ignore_2..4 test a key or tag defect,
# but their signatures also say v=0.5, which alone makes them permerror.  With
# v=0.5 rewritten to v=1 the defect must still give permerror; a verifier that
# missed it would reach the crypto step and say fail (b= no longer matches).
for fname, what in [("badkey_1.txt", "key NXDOMAIN"), ("badkey_2.txt", "key revoked (p= empty)"),
                    ("badkey_3.txt", "key v=DKIM3"), ("badkey_4.txt", "key tag-list syntax (bare t)"),
                    ("badkey_5.txt", "key k=foobar"), ("badkey_6.txt", "key s=chat"),
                    ("badkey_7.txt", "key h=bad (no rsa-sha1 hash)"), ("ignore_2.txt", "a=rsa-md5"),
                    ("ignore_3.txt", "a=dsa-sha1"), ("ignore_4.txt", "c=future")]:
    with open(os.path.join(MD, "corpus", fname), "rb") as f:
        data = f.read()
    path = os.path.join(TMP, "v1-" + fname)
    with open(path, "wb") as f:
        f.write(data.replace(b"v=0.5;", b"v=1;", 1))
    add(Case("dkim-mail-dkim", "v1:" + fname, path, FAKE, CURRENT_NOW,
             [Sig("invalid", ["permerror"], note=what + " (v=0.5 rewritten to v=1 here)")]))

# --- dkim-opendkim -----------------------------------------------------------
OD = os.path.join(CONF, "dkim-opendkim")
OD_DNS = read_owner_tab(os.path.join(OD, "dns-zone.txt"))
with open(os.path.join(OD, "cases.tsv"), encoding="utf-8") as f:
    od_rows = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
for row in od_rows:
    fname, status, mapped = row[0], row[3], row[4]
    word = mapped.split("(")[0]
    if word == "none":
        sigs = None
    elif word == "pass":
        sigs = [P(mapped)]
    else:
        sigs = [Sig(mapped, [word], note=status)]
    if ("dkim-opendkim", fname) in CLOCK_ONLY:
        sigs = [Sig(mapped, ["pass"], bh="pass", hs=True,
                    note=CLOCK_ONLY[("dkim-opendkim", fname)])]
        sigs[0].policy = {"policy", "permerror"}
    add(Case("dkim-opendkim", fname, os.path.join(OD, "messages", fname), OD_DNS,
             CURRENT_NOW, sigs))


# ---------------------------------------------------------------------------
# dkimpy sign -> verify round trips (upstream's test_dkim*.py do the same with
# dkimpy's signer): sign test.message with each private key in the suite and
# each canonicalization, publish the public half, mxray must pass it.  The
# harness's signer is checked first by reproducing RFC 8463 A.3's ed25519 b=.
# ---------------------------------------------------------------------------
WSP = re.compile(rb"[ \t]+")


def canon_header(raw, relaxed):
    if not relaxed:
        return raw
    name, value = raw.split(b":", 1)
    value = re.sub(rb"\r\n(?=[ \t])", b"", value)
    value = value[:-2] if value.endswith(b"\r\n") else value
    value = WSP.sub(b" ", value).strip(b" ")
    return name.strip().lower() + b":" + value + b"\r\n"


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


def header_input(fields, hlist, sig_raw, relaxed):
    used = set()
    out = b""
    for h in hlist:
        for i in range(len(fields) - 1, -1, -1):
            if i not in used and fields[i][0] == h.strip().lower():
                used.add(i)
                out += canon_header(fields[i][1], relaxed)
                break
    # RFC 6376 §3.7: the signature field with b= emptied, without its final CRLF
    blanked = re.sub(rb"(\bb=)[^;]*", rb"\1", sig_raw.rstrip(b"\r\n"))
    return out + canon_header(blanked + b"\r\n", relaxed)[:-2]


def sign(key, alg, data_crlf, d, s, c, hlist, t):
    hrel, brel = (x == "relaxed" for x in c.split("/"))
    fields = header_fields(data_crlf)
    digest = hashlib.sha256 if alg.endswith("sha256") else hashlib.sha1
    bh = base64.b64encode(digest(canon_body(body_of(data_crlf), brel)).digest()).decode()
    sig = ("DKIM-Signature: v=1; a=%s; c=%s; d=%s; s=%s; t=%d; h=%s; bh=%s; b=" %
           (alg, c, d, s, t, ":".join(hlist), bh)).encode()
    hin = header_input(fields, hlist, sig, hrel)
    if alg.startswith("ed25519"):
        b = key.sign(hashlib.sha256(hin).digest())
    else:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        b = key.sign(hin, padding.PKCS1v15(), hashes.SHA256())
    return sig + base64.b64encode(b) + b"\r\n" + data_crlf


ROUNDTRIP_NOTE = None
try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
except ImportError:
    serialization = None
    ROUNDTRIP_NOTE = ("python3-cryptography is missing: the dkimpy sign->verify round trips "
                      "were NOT run")


def ed_key(path):
    with open(path) as f:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(f.read().strip()))


def rsa_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


SELFCHECK = []
if serialization is not None:
    # Signer self-check: RFC 8463 A.3's ed25519 signature, recomputed from A.1 + seed.
    with open(os.path.join(RFC, "rfc8463-A3-signed.eml"), "rb") as f:
        a3 = crlf(f.read())
    a3f = header_fields(a3)
    sig_raw = a3f[0][1]
    want = tags(sig_raw.decode().split(":", 1)[1])["b"]
    t = tags(sig_raw.decode().split(":", 1)[1])
    hin = header_input(a3f[2:], t["h"].split(":"), sig_raw, True)
    got = base64.b64encode(ed_key(os.path.join(RFC, "rfc8463-A2-ed25519-private-seed.b64"))
                           .sign(hashlib.sha256(hin).digest())).decode()
    bh = base64.b64encode(hashlib.sha256(canon_body(body_of(a3), True)).digest()).decode()
    SELFCHECK.append((got == want and bh == t["bh"],
                      "harness signer reproduces RFC 8463 A.3 ed25519 b= and bh= byte for byte"))
    if not SELFCHECK[-1][0]:
        ROUNDTRIP_NOTE = "harness signer self-check failed: round trips NOT run"

if ROUNDTRIP_NOTE is None:
    with open(os.path.join(DPD, "test.message"), "rb") as f:
        base_msg = crlf(f.read())

    def pub_p(key):
        return base64.b64encode(key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)).decode()

    RT_KEYS = [
        # (label, private key file, alg, record the suite publishes for it)
        ("test.private", rsa_key(os.path.join(DPD, "test.private")), "rsa-sha256",
         data_text("test.txt")),
        ("1024_testkey.key", rsa_key(os.path.join(DPD, "1024_testkey.key")), "rsa-sha256",
         data_text("1024_testkey_wo_markers.pub.txt")),
        ("1024_testkey.key+PKCS#1", rsa_key(os.path.join(DPD, "1024_testkey.key")), "rsa-sha256",
         data_text("1024_testkey_wo_markers.pub.rsa.txt")),
        ("2048_testkey.key", rsa_key(os.path.join(DPD, "2048_testkey.key")), "rsa-sha256",
         data_text("2048_testkey_wo_markers.pub.txt")),
        ("2048_testkey.key+PKCS#1", rsa_key(os.path.join(DPD, "2048_testkey.key")), "rsa-sha256",
         data_text("2048_testkey_wo_markers.pub.rsa.txt")),
        ("2048_testkey_PKCS8.key", rsa_key(os.path.join(DPD, "2048_testkey_PKCS8.key")),
         "rsa-sha256", data_text("2048_testkey_PKCS8.key.pub.txt")),
        ("ed25519test.key", ed_key(os.path.join(DPD, "ed25519test.key")), "ed25519-sha256",
         data_text("ed25519test.dns")),
        ("rfc8032_7_1.key", ed_key(os.path.join(DPD, "rfc8032_7_1.key")), "ed25519-sha256",
         RFC_DNS["brisbane._domainkey.football.example.com"][0]),
    ]
    HLIST = ["from", "to", "subject", "message-id", "date"]
    n = 0
    for label, key, alg, record in RT_KEYS:
        for c in ["simple/simple", "relaxed/relaxed", "simple/relaxed", "relaxed/simple"]:
            n += 1
            sel = "rt%d" % n
            msg = sign(key, alg, base_msg, "example.com", sel, c, HLIST, 1528637909)
            path = os.path.join(TMP, "roundtrip-%s.eml" % sel)
            with open(path, "wb") as f:
                f.write(msg)
            add(Case("dkim-dkimpy", "roundtrip:%s %s" % (label, c), path,
                     {sel + "._domainkey.example.com": [record]}, CURRENT_NOW, [P()]))


# ---------------------------------------------------------------------------
# Compare
# ---------------------------------------------------------------------------
def fmt_set(s):
    return "|".join(sorted(s))


def check_sig(case, i, s, r):
    """Problems with signature i beyond the two verdicts (empty list = fine)."""
    probs = []
    got = (r.get("result"), r.get("policy_result"))
    if s.bh is not None and got[0] in s.crypto and r.get("body_hash") != s.bh:
        probs.append("body_hash %s, expected %s" % (r.get("body_hash"), s.bh))
    if s.hs is not None and got[0] in s.crypto and r.get("header_signature") is not s.hs:
        probs.append("header_signature %s, expected %s" % (r.get("header_signature"), s.hs))
    if s.tags.get("v") == "1" and "pass" in s.crypto and got[0] == "pass":
        d, sel = s.tags.get("d", "").lower(), s.tags.get("s", "").lower()
        if (r.get("domain") or "").lower() != d or (r.get("selector") or "").lower() != sel:
            probs.append("domain/selector %s/%s, expected %s/%s" %
                         (r.get("domain"), r.get("selector"), d, sel))
        key = r.get("key") or {}
        if s.key:
            if s.key["bits"] and key.get("bits") != s.key["bits"]:
                probs.append("key.bits %s, the published key has %d" %
                             (key.get("bits"), s.key["bits"]))
            if key.get("testing") is not s.key["testing"]:
                probs.append("key.testing %s, the key record says t=%s" %
                             (key.get("testing"), "y" if s.key["testing"] else "(no y)"))
    return probs


results = {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0}
per_suite = {}
diffs = []


def emit(case, label, expected, got, status, why=""):
    results[status] += 1
    per_suite.setdefault(case.suite, {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0})
    per_suite[case.suite][status] += 1
    line = "%-17s %-44s expected %-34s got %-22s %s" % (case.suite, label, expected, got, status)
    if why:
        line += "  -- " + why
    print(line)
    if status in ("DIFF", "STALE"):
        diffs.append(line)


for ok, what in SELFCHECK:
    print("%-17s %-44s %s" % ("dkim-dkimpy", "signer-selfcheck", "OK" if ok else "HARNESS ERROR"),
          "--", what)
    if not ok:
        results["DIFF"] += 1
if ROUNDTRIP_NOTE:
    print("NOTE:", ROUNDTRIP_NOTE)

for case in CASES:
    doc, err, cmd = run_mxray(case.msg_path, case.dns, case.now)
    if doc is None:
        emit(case, case.display, "-", "-", "DIFF", err)
        continue
    dk = find_key(doc, "dkim")
    nsig = find_key(doc, "dkim_signatures")
    if not isinstance(dk, list):
        emit(case, case.display, "-", repr(dk)[:20], "DIFF", "report has no \"dkim\" list  [%s]" % cmd)
        continue
    kfile = (case.suite, case.name)
    if case.sigs is None or getattr(case, "dk_only", False):
        expected = "none" if case.sigs is None else case.sigs[0].suite_word
        got = "none" if not dk and nsig == 0 else "%d signature(s)" % len(dk)
        if case.sigs is None:
            does = MXRAY_DOES.get(kfile)
            if got == "none":
                emit(case, case.display, "none", got, "STALE" if kfile in KNOWN else "OK",
                     "KNOWN entry no longer needed" if kfile in KNOWN else "")
            elif does not in (None, "none") and all(
                    (r.get("result"), r.get("policy_result")) == tuple(does) for r in dk):
                emit(case, case.display, "none", got + " " + "/".join(does), "KNOWN",
                     KNOWN[kfile])
            else:
                emit(case, case.display, "none", got + " " + ",".join(
                    "%s/%s" % (r.get("result"), r.get("policy_result")) for r in dk), "DIFF",
                     "expected no DKIM signature  [%s]" % cmd)
        elif kfile in KNOWN and MXRAY_DOES[kfile] == "none":
            emit(case, case.display, expected, got, "KNOWN" if got == "none" else "DIFF",
                 KNOWN[kfile] if got == "none" else "[%s]" % cmd)
        else:
            emit(case, case.display, expected, got, "DIFF", "[%s]" % cmd)
        continue
    if len(dk) != len(case.sigs) or nsig != len(case.sigs):
        emit(case, case.display, "%d signature(s)" % len(case.sigs),
             "%d (dkim_signatures %s)" % (len(dk), nsig), "DIFF",
             "signature count differs  [%s]" % cmd)
        continue
    for i, (s, r) in enumerate(zip(case.sigs, dk)):
        label = case.display + ("#%d" % (i + 1) if len(case.sigs) > 1 else "")
        got = (r.get("result"), r.get("policy_result"))
        got_s = "%s/%s" % got
        exp_s = "%s=%s/%s" % (s.suite_word.split(" (")[0].split("(")[0], fmt_set(s.crypto),
                              fmt_set(s.policy))
        match = got[0] in s.crypto and got[1] in s.policy
        probs = check_sig(case, i, s, r) if match else []
        key = (case.suite, label) if (case.suite, label) in KNOWN else kfile
        if key in KNOWN:
            does = MXRAY_DOES[key]
            if match and not probs:
                emit(case, label, exp_s, got_s, "STALE",
                     "KNOWN entry no longer needed: mxray now agrees with the suite")
            elif does != "none" and got == tuple(does):
                emit(case, label, exp_s, got_s, "KNOWN", KNOWN[key])
            else:
                emit(case, label, exp_s, got_s, "DIFF",
                     "known deviation expected mxray to say %s; reason: %s; diagnosis %s  [%s]"
                     % ("/".join(does) if does != "none" else does, r.get("reason"),
                        (r.get("diagnosis") or {}).get("code"), cmd))
            continue
        if match and not probs:
            emit(case, label, exp_s, got_s, "OK")
        else:
            why = "; ".join(probs) if match else "mxray: %s / %s" % (r.get("reason"),
                                                                     r.get("policy_reason"))
            if s.note:
                why += " (note: %s)" % s.note
            emit(case, label, exp_s, got_s, "DIFF", why + "  [%s]" % cmd)

print()
for suite in SUITES:
    c = per_suite.get(suite, {})
    print("%-17s %3d passed, %3d failed, %3d known deviations%s" % (
        suite, c.get("OK", 0), c.get("DIFF", 0) + c.get("STALE", 0), c.get("KNOWN", 0),
        ", %d stale" % c["STALE"] if c.get("STALE") else ""))
print("%d passed, %d failed, %d known deviations" % (
    results["OK"], results["DIFF"] + results["STALE"], results["KNOWN"]))
if os.environ.get("MXRAY_KEEP_TMP"):
    print("zone files and messages kept in", TMP)
else:
    import shutil
    shutil.rmtree(TMP, ignore_errors=True)
sys.exit(0 if results["DIFF"] + results["STALE"] == 0 else 1)
