#!/usr/bin/python3
"""
conformance_dmarc.py - run the external DMARC and Public Suffix List suites in
$MXRAY_CONFORMANCE through the mxray CLI (`mxray dmarc --json`, `mxray psl`,
`mxray analyze --json`) and compare with what each suite expects.

Suites (each folder's SOURCE.md says how to feed it; read in place, never
copied or edited):

  dmarc-mailauth/dmarc_cases.yaml   postalsys/mailauth's mocha tests, recorded:
      dmarc-verify-test        34 cases, RFC 7489 mode (the default)
      get-dmarc-record-test    25 cases, RFC 7489 mode
      rfc9989-compliance-test  29 cases, `--mode 9989`; the 12 marked
                               skipped_upstream are counted on their own line
  dmarc-opendmarc/opendmarc_cases.yaml   libopendmarc's C test tables:
      alignment                10 rows -> `mxray dmarc` (DKIM and SPF)
      from_domain_extraction   13 rows -> `mxray analyze --json` of a message
                               with that From field: authors[0].domain
      org_domain_psl            3 rows -> `mxray psl`
      record_parse             19 rows: NOT run here (tests/test_dmarc*.c
                               covers the record parser)
  psl/tests.txt, psl/test_psl.txt   78 cases each -> `mxray psl --json`

How a mailauth call becomes a run (dmarc-mailauth/SOURCE.md "How a harness
should feed it"):

  * one zone file per call with a root SOA (".") first, so every name not
    listed is NXDOMAIN and a listed name without the asked type is NODATA
    (docs/dns.md); `dns.zone` entries become records (TXT as one RR of
    several character-strings, A, AAAA, MX); `dns.probed_txt` lists only the
    _dmarc names the upstream stub answered, everything else NXDOMAIN, which
    is what the root SOA gives;
  * TXT errors become directives: ENOTFOUND -> "; mxray-dns: NAME TXT
    NXDOMAIN", ENODATA and an empty TXT list -> NODATA, ETIMEOUT -> TIMEOUT,
    ESERVFAIL -> SERVFAIL;
  * headerFrom -> --from (a one-element array is its element; a string
    without "@" is passed as it is), dkimDomains[].domain (or the string) ->
    --dkim-pass, spfDomains[].domain -> --spf-pass; arcResult and underSized
    have no CLI equivalent (their assertions are n/a);
  * getDmarcRecord(domain) -> `mxray dmarc --from postmaster@DOMAIN` and the
    record/policy_domain it reports;
  * always --psl psl/public_suffix_list.dat (SOURCE.md item 5: the same
    snapshot everywhere, so the run does not depend on the system's list).

How assertion paths map to mxray's {"dmarc": {...}} (the top-level fields are
the verdict of the mode run):

  status.result -> result            policy -> policy
  domain -> policy_domain            status.header.from -> from_domain
  status.header.d -> policy_domain   (mailauth sets header.d to the domain of
                                      the record it applied, lib/dmarc/verify.js)
  alignment.dkim|spf.result -> alignment.dkim|spf (null when none aligned)
  alignment.dkim|spf.strict -> alignment.dkim_mode|spf_mode == "strict"
  p sp np pct adkim aspf fo rua ruf ri rf t psd -> record.<tag>
  v -> record.v, or "DMARC1" when mxray accepted a record (a record is only
       accepted with v=DMARC1)
  rr -> record.raw                   isOrgRecord -> policy_domain != from_domain
  (result) to.be.false [getDmarcRecord] -> record is null
  (call) throws ETIMEOUT -> result temperror
  value_of "... queries ..." -> the _dmarc TXT names in <mode>.lookups, in order;
       mxray reports only a count there: in RFC 7489 mode (PSL, every lookup a
       _dmarc TXT query) the count must equal the list's length, an RFC 9989
       count (existence and alignment walks too) is n/a
  error, info, status.comment, underSized, tagonly, "false", the verifyDmarc
  "(result)" of a multi-address From and "(result) not have property pct"
  are mailauth API details with no mxray equivalent: n/a, never counted.

OpenDMARC alignment(a, b, mode) runs `mxray dmarc --from user@a` once with
--dkim-pass b and adkim=<mode>, once with --spf-pass b and aspf=<mode>, the
record published at _dmarc.<a> (dots stripped, for the junk rows); "aligned"
means result pass with alignment.dkim (resp. .spf) set, "not-aligned" means no
alignment (result fail or none, or the CLI refusing the input).

PSL: each input runs alone (`mxray psl --psl FILE --json INPUT`); `null` input
runs with an empty argument and is OK when mxray reports org_domain null or
refuses the empty name.  IDN: Unicode in -> Unicode out; when mxray answers
with A-labels the expectation is converted with IDNA (UTS #46) and compared
in that form (psl/SOURCE.md item 2).  One batch run in text mode checks the
"DOMAIN ORGDOMAIN" line format too.

A case is OK, KNOWN (listed in KNOWN with the suite-vs-RFC reason and what
mxray reports instead, which is checked), STALE (a KNOWN entry that no longer
happens), N/A (no assertion maps to mxray) or DIFF.  Exit 0 only when there is
no DIFF and no STALE; 77 (SKIP) when the suites are missing.  Zone files stay
in $MXRAY_DMARC_REPRO (default /tmp/dmarc-repro) and every DIFF prints the
command that reproduces it.
"""
import json
import os
import re
import shlex
import subprocess
import sys

CONF = os.environ.get("MXRAY_CONFORMANCE", "")
MXRAY = os.environ.get("MXRAY", "")
REPRO = os.environ.get("MXRAY_DMARC_REPRO", "/tmp/dmarc-repro")
NEEDED = ["dmarc-mailauth/dmarc_cases.yaml", "dmarc-opendmarc/opendmarc_cases.yaml",
          "psl/tests.txt", "psl/test_psl.txt", "psl/public_suffix_list.dat"]

if not CONF or not all(os.path.isfile(os.path.join(CONF, p)) for p in NEEDED):
    print("=" * 72)
    print("SKIPPED: DMARC/PSL conformance suites not found at MXRAY_CONFORMANCE=%r" % CONF)
    print("         (need %s); NOTHING WAS CHECKED" % ", ".join(NEEDED))
    print("=" * 72)
    sys.exit(77)
if not MXRAY or not os.access(MXRAY, os.X_OK):
    print("conformance-dmarc: MXRAY not set or not executable", file=sys.stderr)
    sys.exit(1)

sys.path.insert(0, "/usr/lib/python3/dist-packages")
try:
    import yaml
except ImportError:
    print("=" * 72)
    print("SKIPPED: python3-yaml is not installed; NOTHING WAS CHECKED")
    print("=" * 72)
    sys.exit(77)
try:
    import idna
except ImportError:
    idna = None

PSL = os.path.join(CONF, "psl", "public_suffix_list.dat")
os.makedirs(REPRO, exist_ok=True)

# ---------------------------------------------------------------------------
# Documented disagreements: (group, case name) -> (reason, {path: value mxray
# gives instead (a tuple: any of these)}[, {top-level field: value it must also
# have}]).  The listed paths must read exactly these values (so that a change
# shows up); every other assertion of the case must still hold.
# Only genuine suite-vs-RFC disagreements belong here, never an mxray bug.
# ---------------------------------------------------------------------------
KNOWN = {
    ("get-dmarc-record-test", "Should handle invalid pct value as 0"): (
        "mailauth turns pct=invalid into 0 (parseInt); RFC 7489 §6.3 pct is 1*3DIGIT 0..100 and "
        "\"syntax errors in the remainder of the record SHOULD be discarded in favor of default "
        "values\": the default pct is 100, so the record stays valid with pct 100",
        {"pct": (100, None)}),
    ("rfc9989-compliance-test",
     "B.4.3: psd=y stops the walk and the org domain is one label below the PSD"): (
        "the expectation (written from RFC 9989 Appendix B.4.3, skipped upstream) names the "
        "Organizational Domain giant.bank.example through which the SPF identifier aligns; "
        "mailauth's own API (docs/dmarc.md: alignment.spf.result = \"Aligned domain\", "
        "lib/dmarc/verify.js returns the entry's domain) and mxray report the aligned identifier "
        "itself, mail.giant.bank.example; result, policy domain and the DKIM non-alignment agree",
        {"alignment.spf.result": "mail.giant.bank.example"}),
    ("rfc9989-compliance-test", "t=y downgrades reject to quarantine for a failing message"): (
        "mailauth has one field for the policy and folds the t=y downgrade into it; RFC 9989 §4.7 "
        "t=y leaves the published policy as it is and asks receivers to apply the next lower "
        "one to failing mail: mxray keeps policy=reject (the p= tag in force) and reports the "
        "downgrade as disposition=quarantine (checked)",
        {"policy": "reject"}, {"disposition": "quarantine"}),
    ("rfc9989-compliance-test", "t=y downgrades quarantine to none for a failing message"): (
        "as above: policy stays quarantine (published), disposition none (RFC 9989 §4.7 t=y)",
        {"policy": "quarantine"}, {"disposition": "none"}),
    ("rfc9989-compliance-test", "applies no DMARC processing for a record with no p and no rua"): (
        "RFC 9989 §4.10.1: a record without a valid p= and without a usable rua= gets \"no DMARC "
        "processing\"; the test reads that as result none, mxray as permerror, which is what "
        "RFC 8601 §2.7.7 / the RFC 9989 IANA registry (§10) define for \"a syntactically "
        "incorrect DMARC record\"; either way no policy applies (mxray: policy null, disposition "
        "none, checked)",
        {"status.result": "permerror"}, {"policy": None, "disposition": "none"}),
    ("alignment", "5"): (
        "'.mac.com.' is not a domain: RFC 5322 §3.4.1 dot-atom cannot begin or end with a dot, "
        "so 'user@.mac.com.' has no Author Domain (RFC 7489 §3.1, §6.6.1); OpenDMARC strips "
        "the dots before comparing (a library leniency, dmarc-opendmarc/SOURCE.md)",
        {"aligned": False}),
    ("alignment", "6"): (
        "'....mac.com....' is not a domain (as row 5); OpenDMARC strips the dots",
        {"aligned": False}),
}
UNPARSABLE = ("not an RFC 5322 §3.4 address list: %s; mxray reports FROM_UNPARSABLE and no author "
              "(RFC 7489 §6.6.1: a From without a usable domain cannot be evaluated), where "
              "OpenDMARC's extractor scans leniently for the last '@' token")
KNOWN[("from_domain_extraction", "2")] = (
    UNPARSABLE % "a display-name (quoted-string) followed by a bare addr-spec needs <...> "
    "(name-addr = [display-name] angle-addr)", {"domain": None})
KNOWN[("from_domain_extraction", "6")] = (
    UNPARSABLE % "'<<<><joe@joe.com>>>' is not a mailbox (angle-addr holds exactly one addr-spec)",
    {"domain": None})
KNOWN[("from_domain_extraction", "12")] = (
    UNPARSABLE % "a display-name (quoted-string) followed by a bare addr-spec needs <...>",
    {"domain": None})

N_A_PATHS = {"error", "info", "status.comment", "alignment.dkim.underSized",
             "call0.alignment.dkim.underSized", "call1.alignment.dkim.underSized",
             "tagonly", "false"}

TAGS = ("p", "sp", "np", "pct", "adkim", "aspf", "fo", "rua", "ruf", "ri", "rf", "t", "psd")


class NA(Exception):
    pass


# ---------------------------------------------------------------------------
# zone files
# ---------------------------------------------------------------------------
def q(s):
    """A master-file character-string: quoted, \\ and " escaped, other bytes
    outside printable ASCII as \\DDD."""
    out = ""
    for b in s.encode("utf-8"):
        if b in (0x22, 0x5C):
            out += "\\" + chr(b)
        elif 0x20 <= b <= 0x7E:
            out += chr(b)
        else:
            out += "\\%03d" % b
    return '"%s"' % out


def txt_rr(strings):
    parts = []
    for s in strings:
        while len(s.encode("utf-8")) > 255:
            parts.append(s[:255])
            s = s[255:]
        parts.append(s)
    return " ".join(q(p) for p in parts) if parts else "\\# 0"


ERR = {"ENOTFOUND": "NXDOMAIN", "ENODATA": "NODATA", "ETIMEOUT": "TIMEOUT",
       "ESERVFAIL": "SERVFAIL", "EREFUSED": "SERVFAIL"}


def zone_text(dns):
    lines = [".  3600 IN SOA ns.invalid. hostmaster.invalid. ( 1 7200 900 1209600 300 )"]
    entries = {}
    if dns:
        entries.update(dns.get("zone") or {})
        entries.update(dns.get("probed_txt") or {})
    for name, types in entries.items():
        fq = name.rstrip(".") + "."
        for typ, val in types.items():
            if typ.endswith("_error"):
                lines.append("; mxray-dns: %s %s %s" % (fq, typ[:-6], ERR.get(val, "SERVFAIL")))
            elif typ == "TXT":
                if not val:
                    lines.append("; mxray-dns: %s TXT NODATA" % fq)
                for rr in val:
                    lines.append("%s 3600 IN TXT %s" % (fq, txt_rr(rr if isinstance(rr, list) else [rr])))
            elif typ in ("A", "AAAA"):
                for a in val:
                    lines.append("%s 3600 IN %s %s" % (fq, typ, a))
            elif typ == "MX":
                for mx in val:
                    lines.append("%s 3600 IN MX %d %s." % (fq, mx["priority"],
                                                           mx["exchange"].rstrip(".")))
            else:
                lines.append("; type %s of %s not representable" % (typ, fq))
    return "\n".join(lines) + "\n"


def slug(s):
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-")[:90].strip("-")


def zone_tag(group, name, idx):
    return "%s-%d" % (slug(group + "-" + name), idx)


def write_zone(tag, dns):
    path = os.path.join(REPRO, slug(tag) + ".zone")
    with open(path, "w", encoding="utf-8") as f:
        f.write(zone_text(dns))
    return path


def cmdline(args):
    return " ".join(shlex.quote(a) for a in args)


def run(args):
    p = subprocess.run(args, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# dmarc-mailauth
# ---------------------------------------------------------------------------
def dmarc_args(frm, dkim=(), spf=(), zone=None, mode=None, extra=()):
    a = [MXRAY, "dmarc", "--json", "--psl", PSL, "--from", frm]
    for d in spf:
        a += ["--spf-pass", d]
    for d in dkim:
        a += ["--dkim-pass", d]
    if zone:
        a += ["--dns", zone]
    if mode:
        a += ["--mode", mode]
    return a + list(extra)


def dom(e):
    return e if isinstance(e, str) else e.get("domain")


def mailauth_call(group, case, idx, call, mode):
    inp = call["input"]
    zone = write_zone(zone_tag(group, case["name"], idx), call.get("dns"))
    if call["function"] == "getDmarcRecord":
        args = dmarc_args("postmaster@" + inp["domain"], zone=zone, mode=mode)
    else:
        frm = inp["headerFrom"]
        if isinstance(frm, list):
            if len(frm) != 1:
                return {"_na": "headerFrom is an array of %d addresses: mailauth's API, the CLI "
                               "takes one RFC5322.From address" % len(frm)}, None
            frm = frm[0]
        args = dmarc_args(frm, [dom(e) for e in inp.get("dkimDomains") or []],
                          [dom(e) for e in inp.get("spfDomains") or []], zone, mode)
    rc, out, err = run(args)
    res = {"_rc": rc, "_stderr": err.strip(), "_fn": call["function"], "_mode": mode or "7489"}
    try:
        res["_doc"] = json.loads(out)["dmarc"]
    except (ValueError, KeyError, TypeError):
        res["_doc"] = None
        res["_stdout"] = out[:400]
    return res, args


def lookups_names(d, mode):
    """The _dmarc TXT names queried, in order, from <mode>.lookups."""
    obj = d.get("rfc9989" if mode == "9989" else "rfc7489") or {}
    if isinstance(obj.get("lookups"), int):
        return obj["lookups"]
    out = []
    for lk in obj.get("lookups") or []:
        if isinstance(lk, str):
            parts = lk.split()
            name, typ = parts[0], (parts[1] if len(parts) > 1 else "TXT")
        else:
            name, typ = lk.get("name") or lk.get("query") or "", lk.get("type", "TXT")
        name = name.rstrip(".").lower()
        if name.startswith("_dmarc.") and typ.upper() == "TXT":
            out.append(name)
    return out


def get_path(res, path, assertion):
    """mxray's value for a mailauth assertion path (raises NA)."""
    if path in N_A_PATHS:
        raise NA(path)
    d = res.get("_doc")
    if path == "(call)":
        if d is None:
            return "no JSON (exit %d)" % res["_rc"]
        return d.get("result")
    if d is None:
        raise KeyError("no JSON output (exit %d): %s" % (res["_rc"], res["_stderr"][:300]))
    rec = d.get("record")
    al = d.get("alignment") or {}
    if path == "(result)":
        if res["_fn"] == "getDmarcRecord":
            return rec if rec else False
        if assertion.get("assert") == "to.not.have.property":
            prop = assertion["expected"]
            if prop == "policy":
                return d.get("policy")
            raise NA("(result).%s" % prop)
        raise NA(path)
    if path == "status.result":
        return d.get("result")
    if path == "policy":
        return d.get("policy")
    if path in ("domain", "status.header.d"):
        return d.get("policy_domain")
    if path == "status.header.from":
        return d.get("from_domain")
    if path == "isOrgRecord":
        return (d.get("policy_domain") or "") != (d.get("from_domain") or "")
    m = re.match(r"alignment\.(dkim|spf)\.(result|strict)$", path)
    if m:
        if m.group(2) == "result":
            return al.get(m.group(1))
        return al.get(m.group(1) + "_mode") == "strict"
    if path == "v":
        if not rec:
            return None
        return rec.get("v", "DMARC1")
    if path == "rr":
        return rec.get("raw") if rec else None
    if path in TAGS:
        v = rec.get(path) if rec else None
        if isinstance(v, list):         # rua/ruf: mxray lists the URIs, mailauth the text
            v = ",".join(v)
        return v
    raise NA(path)


def check_assertion(val, a):
    kind = a["assert"]
    exp = a.get("expected")
    if kind == "to.equal":
        return val == exp and type(val) is type(exp)
    if kind == "to.be.true":
        return val is True
    if kind in ("to.be.false",):
        return val is False or val is None
    if kind in ("to.not.be.ok", "to.be.undefined", "to.not.have.property"):
        return val in (None, False, "")
    if kind in ("to.include", "to.contain"):
        return isinstance(val, str) and exp in val
    if kind == "to.deep.equal":
        return val == exp
    if kind == "is a number (not a string)":
        return isinstance(val, int) and not isinstance(val, bool)
    if kind == "throws":
        return val == "temperror"
    raise NA("assertion kind " + kind)


def expected_text(a):
    if a["assert"] == "throws":
        return "temperror (mailauth throws %s)" % a["expected"].get("error_code")
    return "%s %s" % (a["assert"], json.dumps(a.get("expected"), ensure_ascii=False)
                      if "expected" in a else "")


def run_mailauth_case(group, case, mode):
    results, cmds, na_notes = [], [], []
    for i, call in enumerate(case["calls"]):
        r, args = mailauth_call(group, case, i, call, mode)
        results.append(r)
        cmds.append(cmdline(args) if args else None)
    checked, fails, known_seen = 0, [], {}
    kn = KNOWN.get((group, case["name"]))
    for a in case["assertions"]:
        path = a.get("path")
        if "value_of" in a:
            # a list of names queried, across every call of the case
            names, count = [], 0
            try:
                for r in results:
                    if r.get("_na") or r.get("_doc") is None:
                        raise KeyError("no JSON output")
                    got = lookups_names(r["_doc"], r["_mode"])
                    if isinstance(got, int):
                        count = count + got if count is not None else None
                        names = None
                    else:
                        names += got
            except KeyError as e:
                fails.append("%s: %s" % (a["value_of"], e))
                checked += 1
                continue
            if names is None:
                # mxray gives a count only: in RFC 7489 mode every lookup is a
                # _dmarc TXT query, so the count must be the list's length; an
                # RFC 9989 count also holds existence and alignment walks: n/a
                if results[0]["_mode"] != "7489":
                    na_notes.append("%s: n/a (mxray reports a lookup count, %d)" % (
                        a["value_of"], count))
                    continue
                checked += 1
                if count != len(a["expected"]):
                    fails.append("%s: expected %d lookups %s, mxray counts %d" % (
                        a["value_of"], len(a["expected"]), a["expected"], count))
                continue
            checked += 1
            if names != a["expected"]:
                fails.append("%s: expected %s, mxray %s" % (a["value_of"], a["expected"], names))
            continue
        r = results[0]
        p = path
        m = re.match(r"call(\d+)(?:\.(.*))?$", path)
        if m and m.group(2):
            r, p = results[int(m.group(1))], m.group(2)
        elif m:
            r, p = results[int(m.group(1))], "(result)"
        if r.get("_na"):
            na_notes.append("%s: %s" % (path, r["_na"]))
            continue
        try:
            val = get_path(r, p, a)
            ok = check_assertion(val, a)
        except NA as e:
            na_notes.append("%s: n/a (%s)" % (path, e))
            continue
        except KeyError as e:
            checked += 1
            fails.append("%s: %s" % (path, e))
            continue
        checked += 1
        if kn and p in kn[1]:
            known_seen[p] = (val, ok)
            if ok or known_value(val, kn[1][p]):
                continue
        if not ok:
            fails.append("%s: expected %s, mxray %s" % (
                path, expected_text(a), json.dumps(val, ensure_ascii=False)))
    if kn and len(kn) > 2 and results and results[0].get("_doc"):
        for p, want in kn[2].items():
            got = results[0]["_doc"].get(p)
            if got != want:
                fails.append("KNOWN also expects mxray %s = %s, got %s" % (
                    p, json.dumps(want), json.dumps(got)))
    return checked, fails, na_notes, cmds, kn, known_seen


def known_value(val, want):
    return val in want if isinstance(want, tuple) else val == want


# ---------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------
COUNTS = {}
PROBLEMS = []


def record(suite, name, status, detail=None, cmds=(), zone_files=()):
    c = COUNTS.setdefault(suite, {"OK": 0, "DIFF": 0, "KNOWN": 0, "STALE": 0, "N/A": 0})
    c[status] += 1
    line = "%-5s %s: %s" % (status, suite, name)
    print(line)
    if status in ("DIFF", "STALE", "KNOWN") and detail:
        for d in detail if isinstance(detail, list) else [detail]:
            print("        " + d)
    if status in ("DIFF", "STALE"):
        for z in zone_files:
            if z and os.path.exists(z):
                print("        zone %s:" % z)
                with open(z, encoding="utf-8") as f:
                    for zl in f.read().splitlines()[1:]:
                        print("          " + zl)
        for cmd in cmds:
            if cmd:
                print("        repro: " + cmd)
        PROBLEMS.append(line)


def mailauth():
    data = yaml.safe_load(open(os.path.join(CONF, "dmarc-mailauth", "dmarc_cases.yaml"),
                               encoding="utf-8"))
    plan = [("dmarc-verify-test", None), ("get-dmarc-record-test", None),
            ("rfc9989-compliance-test", "9989")]
    for group, mode in plan:
        for case in data[group]:
            suite = "mailauth/" + group + (" [skipped_upstream]" if case.get("skipped_upstream")
                                           else "")
            name = case["name"]
            checked, fails, na_notes, cmds, kn, known_seen = run_mailauth_case(group, case, mode)
            zones = [os.path.join(REPRO, zone_tag(group, name, i) + ".zone")
                     for i in range(len(case["calls"]))]
            if kn:
                now_ok = [p for p, (v, ok) in known_seen.items() if ok]
                wrong = {p: v for p, (v, ok) in known_seen.items()
                         if not ok and not known_value(v, kn[1][p])}
                if now_ok or set(known_seen) != set(kn[1]):
                    record(suite, name, "STALE", "KNOWN entry no longer happens (%s): %s" % (
                        ", ".join(now_ok) or "path not reached", kn[0]), cmds, zones)
                elif fails or wrong:
                    det = fails + ["KNOWN expected mxray %s = %s, got %s" % (p, json.dumps(kn[1][p]),
                                   json.dumps(v)) for p, v in wrong.items()]
                    record(suite, name, "DIFF", det, cmds, zones)
                else:
                    record(suite, name, "KNOWN", kn[0])
                continue
            if not checked:
                record(suite, name, "N/A", na_notes)
            elif fails:
                record(suite, name, "DIFF", fails + na_notes, cmds, zones)
            else:
                record(suite, name, "OK")


# ---------------------------------------------------------------------------
# dmarc-opendmarc
# ---------------------------------------------------------------------------
def opendmarc():
    data = yaml.safe_load(open(os.path.join(CONF, "dmarc-opendmarc", "opendmarc_cases.yaml"),
                               encoding="utf-8"))
    # alignment through `mxray dmarc`
    for row in data["alignment"]:
        a, b, mode = row["domain_a_subdomain_arg"], row["domain_b_tld_arg"], row["mode"]
        want = row["expected"] == "aligned"
        pub = re.sub(r"\.+", ".", a).strip(".")
        m = "s" if mode == "strict" else "r"
        got, fails, cmds, zones = {}, [], [], []
        for ident in ("dkim", "spf"):
            zone = write_zone("opendmarc-alignment-%d-%s" % (row["n"], ident), {"zone": {
                "_dmarc." + pub: {"TXT": [["v=DMARC1; p=none; adkim=%s; aspf=%s" % (m, m)]]}}})
            zones.append(zone)
            args = dmarc_args("user@" + a, [b] if ident == "dkim" else [],
                              [b] if ident == "spf" else [], zone)
            cmds.append(cmdline(args))
            rc, out, err = run(args)
            try:
                d = json.loads(out)["dmarc"]
                aligned = d.get("result") == "pass" and bool((d.get("alignment") or {}).get(ident))
                how = "result %s, alignment.%s %s" % (d.get("result"), ident,
                                                      json.dumps((d.get("alignment") or {}).get(ident)))
            except (ValueError, KeyError, TypeError):
                aligned = False
                how = "refused (exit %d: %s)" % (rc, err.strip()[:200])
                if rc == 0 or rc >= 128 or rc < 0:
                    fails.append("%s: exit %d without JSON: %s" % (ident, rc, out[:200]))
            got[ident] = aligned
            if aligned != want:
                fails.append("%s %s %s vs %s: expected %s, mxray %s" % (
                    ident, mode, a, b, row["expected"], how))
        key = ("alignment", str(row["n"]))
        name = "alignment #%d %s / %s (%s)" % (row["n"], a, b, mode)
        kn = KNOWN.get(key)
        if kn:
            if all(got[i] == kn[1]["aligned"] for i in got) and not any(
                    "without JSON" in f for f in fails):
                if fails:
                    record("opendmarc/alignment", name, "KNOWN", kn[0])
                else:
                    record("opendmarc/alignment", name, "STALE",
                           "KNOWN entry no longer matches: " + kn[0], cmds, zones)
            else:
                record("opendmarc/alignment", name, "DIFF", fails, cmds, zones)
        elif fails:
            record("opendmarc/alignment", name, "DIFF", fails, cmds, zones)
        else:
            record("opendmarc/alignment", name, "OK")

    # From-domain extraction through `mxray analyze`
    for row in data["from_domain_extraction"]:
        msg = ("From: %s\r\nTo: dmarc@example.net\r\nSubject: from-domain %d\r\n"
               "Date: Tue, 05 Nov 2024 10:00:00 +0000\r\nMessage-ID: <fd%d@example.net>\r\n"
               "\r\nbody\r\n" % (row["header_value"], row["n"], row["n"]))
        path = os.path.join(REPRO, "opendmarc-from-%d.eml" % row["n"])
        with open(path, "wb") as f:
            f.write(msg.encode("utf-8"))
        args = [MXRAY, "analyze", "--json", path]
        rc, out, err = run(args)
        name = "from #%d %s" % (row["n"], row["header_value"])
        try:
            doc = json.loads(out)
            authors = doc.get("authors")
            if authors is None:
                authors = (doc.get("message") or {}).get("authors")
            got = authors[0]["domain"] if authors else None
        except (ValueError, KeyError, TypeError, IndexError) as e:
            record("opendmarc/from_domain", name, "DIFF",
                   "no authors in analyze JSON (exit %d, %s): %s" % (rc, e, err[:200]),
                   [cmdline(args)])
            continue
        kn = KNOWN.get(("from_domain_extraction", str(row["n"])))
        if kn and got == row["expected_domain"]:
            record("opendmarc/from_domain", name, "STALE", "KNOWN entry no longer happens: " +
                   kn[0], [cmdline(args)])
        elif kn and got == kn[1]["domain"]:
            record("opendmarc/from_domain", name, "KNOWN", kn[0])
        elif got == row["expected_domain"]:
            record("opendmarc/from_domain", name, "OK")
        else:
            record("opendmarc/from_domain", name, "DIFF",
                   "expected %s, mxray authors[0].domain %s" % (row["expected_domain"],
                                                                json.dumps(got)),
                   [cmdline(args)])

    # org domain through `mxray psl`
    for row in data["org_domain_psl"]:
        got, how, args = psl_one(row["domain"])
        name = "org #%d %s" % (row["n"], row["domain"])
        if psl_equal(row["domain"], got, row["expected_org_domain"]):
            record("opendmarc/org_domain", name, "OK")
        else:
            record("opendmarc/org_domain", name, "DIFF",
                   "expected %s, mxray %s" % (row["expected_org_domain"], how), [cmdline(args)])
    print("(opendmarc record_parse: %d rows left to the unit tests)" % len(data["record_parse"]))


# ---------------------------------------------------------------------------
# PSL
# ---------------------------------------------------------------------------
def psl_one(inp):
    args = [MXRAY, "psl", "--psl", PSL, "--json", inp]
    rc, out, err = run(args)
    try:
        lst = json.loads(out)
        if isinstance(lst, dict):
            lst = lst.get("psl") or lst.get("domains") or [lst]
        if rc != 0 or len(lst) != 1:
            raise ValueError("exit %d, %d entries" % (rc, len(lst)))
        got = lst[0]["org_domain"]
        return got, json.dumps(got, ensure_ascii=False), args
    except (ValueError, KeyError, TypeError, IndexError) as e:
        return "<error>", "error (exit %d, %s): %s" % (rc, e, err.strip()[:200]), args


def to_alabels(s):
    if idna is None:
        return s.encode("idna").decode()
    return idna.encode(s, uts46=True, transitional=False).decode()


def psl_equal(inp, got, expected):
    if expected in ("null", None):
        return got is None
    if got == expected:
        return True
    if isinstance(got, str) and got.isascii() and not expected.isascii():
        try:
            return got == to_alabels(expected)
        except Exception:
            return False
    return False


def psl_cases(fname):
    out = []
    for line in open(os.path.join(CONF, "psl", fname), encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        if fname == "test_psl.txt":
            m = re.match(r"checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);$", line)
            if not m:
                print("unparsed line in %s: %s" % (fname, line))
                continue
            i, e = (None if g == "null" else g[1:-1] for g in m.groups())
        else:
            i, e = line.split(" ", 1)
            i = None if i == "null" else i
            e = None if e == "null" else e
        out.append((i, e))
    return out


def psl():
    for fname in ("tests.txt", "test_psl.txt"):
        suite = "psl/" + fname
        for inp, exp in psl_cases(fname):
            name = "%s -> %s" % ("null" if inp is None else inp, "null" if exp is None else exp)
            if inp is None:
                got, how, args = psl_one("")
                if got is None or got == "<error>":
                    record(suite, name + " (empty argument: %s)" % how.split(":")[0], "OK")
                else:
                    record(suite, name, "DIFF", "empty input: expected null, mxray %s" % how,
                           [cmdline(args)])
                continue
            got, how, args = psl_one(inp)
            if psl_equal(inp, got, exp):
                record(suite, name, "OK")
            else:
                record(suite, name, "DIFF", "expected %s, mxray %s" % (exp, how), [cmdline(args)])

    # the text format: one "DOMAIN ORGDOMAIN" line per argument, lower-case
    cases = [(i, e) for i, e in psl_cases("tests.txt") if i]
    args = [MXRAY, "psl", "--psl", PSL] + [i for i, _ in cases]
    rc, out, err = run(args)
    lines = out.splitlines()
    bad = []
    if rc != 0 or len(lines) != len(cases):
        bad.append("exit %d, %d lines for %d domains: %s" % (rc, len(lines), len(cases), err[:200]))
    else:
        for (i, e), line in zip(cases, lines):
            parts = line.split(" ")
            if len(parts) != 2:
                bad.append("line %r is not 'DOMAIN ORGDOMAIN'" % line)
                continue
            d, o = parts
            if d != i.lower() and not (d.isascii() and not i.isascii()):
                bad.append("%r: domain column %r is not the input lower-cased" % (i, d))
            if not psl_equal(i, None if o == "null" else o, e):
                bad.append("%r: expected %s, line says %s" % (i, e or "null", o))
    if bad:
        record("psl/text-format", "%d domains in one run" % len(cases), "DIFF", bad[:10],
               [cmdline(args)])
    else:
        record("psl/text-format", "%d domains in one run" % len(cases), "OK")


# ---------------------------------------------------------------------------
def main():
    for sub in ("dmarc", "psl"):
        rc, out, err = run([MXRAY, sub, "--help"])
        if "usage: mxray %s" % sub not in out + err:
            print("conformance-dmarc: `%s %s --help` exits %d: this mxray has no %s command"
                  % (MXRAY, sub, rc, sub))
            print(err.strip()[:300])
            return 1
    mailauth()
    opendmarc()
    psl()
    print()
    print("%-48s %4s %4s %5s %5s %4s" % ("suite", "OK", "DIFF", "KNOWN", "STALE", "N/A"))
    for s, c in COUNTS.items():
        print("%-48s %4d %4d %5d %5d %4d" % (s, c["OK"], c["DIFF"], c["KNOWN"], c["STALE"],
                                             c["N/A"]))
    if PROBLEMS:
        print("\n%d problem(s); zone files in %s:" % (len(PROBLEMS), REPRO))
        for p in PROBLEMS:
            print("  " + p)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
