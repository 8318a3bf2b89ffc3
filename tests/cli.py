"""End-to-end tests of the mxray command line: usage, exit codes, standard
input, every paste form, attached messages, --receiver, --fail-on, and that
every finding code is documented."""
import json, os, re, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks

check = Checks()

root = os.environ["MXRAY_SOURCE_ROOT"]
mxray = os.environ["MXRAY"]
fx = lambda name: os.path.join(root, "fixtures", name)

def run(args, stdin=None):
    p = subprocess.run([mxray] + args, input=stdin, capture_output=True, cwd=root)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def analyze_json(args, stdin=None):
    rc, out, err = run(["analyze", "--json"] + args, stdin)
    return rc, (json.loads(out) if out.strip() else None), err

# --- usage and exit codes (docs/mxray.1 EXIT STATUS) ---
rc, out, err = run([])
check(rc == 2 and "usage:" in err, f"no arguments: exit 2 with usage (got {rc})")
rc, out, err = run(["frobnicate"])
check(rc == 2 and "unknown command" in err, "unknown command: exit 2")
rc, out, err = run(["analyze", "--no-such-option", fx("gmail-inbound-postfix-tls.eml")])
check(rc == 2, f"unknown option: exit 2 (got {rc})")
rc, out, err = run(["analyze", "--color", "purple", fx("gmail-inbound-postfix-tls.eml")])
check(rc == 2, "bad --color value: exit 2")
rc, out, err = run(["analyze", "--fail-on", "severe", fx("gmail-inbound-postfix-tls.eml")])
check(rc == 2, "bad severity: exit 2")
rc, out, err = run(["analyze", fx("gmail-inbound-postfix-tls.eml"), fx("duplicate-from.eml")])
check(rc == 2, "two files: exit 2")
rc, out, err = run(["--help"])
check(rc == 0 and "usage:" in out, "--help: exit 0 on stdout")
rc, out, err = run(["analyze", "--help"])
check(rc == 0 and "--receiver" in out, "analyze --help: exit 0")
rc, out, err = run(["--version"])
check(rc == 0 and re.match(r"mxray \d+\.\d+", out), "--version")
rc, out, err = run(["analyze", "/nonexistent/message.eml"])
check(rc == 3 and "/nonexistent/message.eml" in err, f"missing file: exit 3 naming it (got {rc})")
rc, out, err = run(["analyze", fx("")])
check(rc == 3 and "directory" in err, f"directory: exit 3 (got {rc})")
for name, word in [("broken/empty.eml", "empty"), ("broken/only-whitespace.txt", "whitespace"),
                   ("broken/binary.bin", "binary"), ("broken/report.pdf", "PDF"),
                   ("broken/not-an-email.txt", "header")]:
    rc, out, err = run(["analyze", fx(name)])
    check(rc == 4 and word in err and name in err,
          f"{name}: exit 4 with a reason naming the input ({rc}, {err.strip()})")
    check(out == "", f"{name}: no text report for a refused input")
rc, doc, err = analyze_json([fx("broken/report.pdf")])
check(rc == 4 and doc["input"]["kind"] == "document", "refused input still gets a JSON record with --json")

# --- standard input, both spellings ---
with open(fx("gmail-inbound-postfix-tls.eml"), "rb") as f:
    raw = f.read()
rc, doc_file, _ = analyze_json([fx("gmail-inbound-postfix-tls.eml")])
rc1, doc_dash, _ = analyze_json(["-"], raw)
rc2, doc_none, _ = analyze_json([], raw)
check(rc1 == 0 and rc2 == 0, "stdin: exit 0")
check(doc_dash["input"]["name"] == "-" and doc_dash["hops"] == doc_file["hops"],
      "stdin via '-' gives the same hops as the file")
check(doc_none["hops"] == doc_file["hops"], "stdin without FILE gives the same hops")

# --- every paste form: same analysis as the canonical message, plus the repair ---
def core(d):
    return {k: d[k] for k in ("hops", "boundary", "recorded", "message", "transit")}

def codes(d):
    return {f["code"] for f in d["findings"]}

canon_tls = doc_file
rc, canon_plain, _ = analyze_json([fx("gmail-inbound-plaintext-hop.eml")])
for name, canon, repairs, code in [
        ("pasted-lf-only.txt", canon_tls, {"leading-blank-lines", "lf-to-crlf"}, "INPUT_LF_LINE_ENDINGS"),
        ("pasted-indented.txt", canon_plain, {"indentation-removed", "mixed-line-endings-to-crlf"}, "INPUT_INDENTED"),
        ("gmail-show-original.txt", canon_tls, {"gmail-show-original-page", "lf-to-crlf"}, "INPUT_GMAIL_PAGE")]:
    rc, d, err = analyze_json([fx(name)])
    check(rc == 0, f"{name}: exit 0")
    check(set(d["input"]["repairs"]) >= repairs, f"{name}: repairs {d['input']['repairs']} include {repairs}")
    check(code in codes(d), f"{name}: finding {code}")
    a, b = core(d), core(canon)
    if name.startswith("gmail-show"):
        a["recorded"] = [r for r in a["recorded"] if r["source"] != "gmail-summary"]
        # body bytes differ only by the trailing page text; compare the path
        a["message"] = b["message"] = None
    check(a == b, f"{name}: same hops, boundary and recorded results as the canonical message")

rc, d, _ = analyze_json([fx("gmail-show-original.txt")])
g = d["gmail_summary"]
check(g and g["spf"] == "pass" and g["dkim"] == "pass" and g["dkim_domain"] == "example.com"
      and g["dmarc"] == "pass" and g["spf_ip"] == "198.51.100.25", f"Gmail summary parsed: {g}")
check(any(r["source"] == "gmail-summary" and r["trusted"] for r in d["recorded"]),
      "Gmail summary kept as recorded evidence")
rc, d, _ = analyze_json([fx("gmail-show-original-fail.txt")])
check(d["gmail_summary"]["spf"] == "softfail" and d["gmail_summary"]["dmarc"] == "fail",
      "failing Gmail summary parsed")

rc, d, _ = analyze_json([fx("mbox-from-line.eml")])
check("mbox-from-line" in d["input"]["repairs"] and "INPUT_MBOX_FROM_LINE" in codes(d),
      "mbox From line skipped and reported")
check(d["message"]["from"] is not None and len(d["hops"]) == 2, "mbox message still analyzed")

for name in ("headers-only-outlook.txt",):
    rc, d, _ = analyze_json([fx(name)])
    check(rc == 0 and "HEADERS_ONLY" in codes(d) and not d["message"]["body_present"],
          f"{name}: headers only is reported, not an error")
    check(len(d["hops"]) == 5 and d["boundary"] and d["boundary"]["hop"] == 2,
          f"{name}: path still analyzed")
rc, d, _ = analyze_json([fx("headers-only-helpdesk.txt")])
check(rc == 0 and "BODY_EMPTY" in codes(d), "header block with an empty body: BODY_EMPTY")

# hand-made paste forms on standard input: CRLF -> LF, indentation by a tab, leading blanks
lf = raw.replace(b"\r\n", b"\n")
for label, data, repair in [("LF", lf, "lf-to-crlf"),
                            ("tab-indented", b"\n".join(b"\t" + l if l else l for l in lf.split(b"\n")), "indentation-removed"),
                            ("blank lines", b"\r\n\r\n \r\n" + raw, "leading-blank-lines"),
                            ("BOM", b"\xef\xbb\xbf" + raw, "bom-removed")]:
    rc, d, _ = analyze_json(["-"], data)
    check(rc == 0 and repair in d["input"]["repairs"] and d["hops"] == doc_file["hops"],
          f"stdin {label}: repaired ({repair}) and same hops")

# --- attached messages ---
rc, d, _ = analyze_json([fx("carrier-only-forward.eml")])
check(len(d["attached"]) == 1 and d["attached"][0]["message"]["subject"].startswith("Dan, please"),
      "carrier: the attached original is analyzed by default")
check(d["attached"][0]["boundary"]["hop"] == 1, "carrier: inner boundary at hop 1")
rc, d, _ = analyze_json(["--no-attached", fx("carrier-only-forward.eml")])
check(d["attached"] == [] and d["attached_count"] == 1 and "ATTACHED_MESSAGE" in codes(d),
      "--no-attached: counted, reported, not analyzed")
rc, d, _ = analyze_json(["--attached", fx("forwarded-as-attachment.eml")])
check(len(d["attached"]) == 1 and len(d["attached"][0]["hops"]) == 3,
      "--attached: forwarded original analyzed with its own hops")

# --- receiver, trust, spoofing ---
rc, d, _ = analyze_json([fx("forged-authres-below-boundary.eml")])
check("AUTHRES_FORGED" in codes(d), "forged Authentication-Results below the boundary is found")
forged = [r for r in d["recorded"] if not r["trusted"] and r["method"] == "dkim"]
check(forged and forged[0]["result"] == "pass", "the forged dkim=pass is kept as an untrusted claim")
check(all(r["result"] != "pass" or r["method"] != "dmarc" for r in d["recorded"] if r["trusted"]),
      "no trusted dmarc=pass in the forged message")
rc, d, _ = analyze_json([fx("duplicate-from.eml")])
check("FROM_DUPLICATE" in codes(d) and d["message"]["from_fields"] == 2 and
      len(d["message"]["authors"]) == 2, "two From fields stay two")
rc, d, _ = analyze_json(["--receiver", "example.net", fx("clock-skew.eml")])
check(d["boundary"]["identified_by"] == "given with --receiver" and d["boundary"]["hop"] == 3,
      "--receiver names the boundary")
rc, d, _ = analyze_json(["--receiver", "nowhere.example", fx("clock-skew.eml")])
check(d["boundary"] is None and "BOUNDARY_NOT_FOUND" in codes(d),
      "--receiver that wrote no hop: boundary not found, said so")

# --- verdicts never change the exit status unless asked ---
rc, out, _ = run(["analyze", fx("forged-authres-below-boundary.eml")])
check(rc == 0, "high findings alone exit 0")
rc, out, _ = run(["analyze", "--fail-on", "high", fx("forged-authres-below-boundary.eml")])
check(rc == 1, "--fail-on high with a high finding: exit 1")
rc, out, _ = run(["analyze", "--fail-on", "high", fx("gmail-inbound-postfix-tls.eml")])
check(rc == 0, "--fail-on high without one: exit 0")

# --- text report: a person's report, 80 columns, colour only when asked ---
rc, out, _ = run(["analyze", fx("gmail-inbound-plaintext-hop.eml")])
check(rc == 0 and "In short" in out and "NOT encrypted" in out, "text report has the summary first")
import glob
for path in sorted(glob.glob(os.path.join(root, "fixtures", "*.*"))):
    if path.endswith(".md"):
        continue
    rc, text, _ = run(["analyze", path])
    wide = [l for l in text.splitlines() if len(l) > 80]
    check(not wide, f"{os.path.basename(path)}: text report fits 80 columns ({wide[:1]})")
check("\033[" not in out, "no colour when not a terminal")
rc, out, _ = run(["analyze", "--color", "always", fx("gmail-inbound-plaintext-hop.eml")])
check("\033[" in out, "--color always colours")
rc, out, _ = run(["analyze", "--min-severity", "high", fx("gmail-inbound-plaintext-hop.eml")])
check("not shown" in out, "--min-severity hides lower findings and says so")
rc, out, _ = run(["analyze", "--compact", fx("gmail-inbound-postfix-tls.eml")])
check(rc == 0 and len(out.strip().splitlines()) == 1, "--compact: one JSON line")

# --- every finding code is registered and documented ---
rc, out, _ = run(["codes", "--json"])
table = json.loads(out)
with open(os.path.join(root, "docs", "findings.md"), encoding="utf-8") as f:
    doc_text = f.read()
for c in table:
    check(re.search(r"^## " + re.escape(c["code"]) + r"$", doc_text, re.M),
          f"finding {c['code']} documented in docs/findings.md")
with open(os.path.join(root, "docs", "mxray.1"), encoding="utf-8") as f:
    man = f.read()
check(".Sh EXIT STATUS" in man, "man page has EXIT STATUS")

check.done()
