#!/usr/bin/python3
"""
make_corpus.py - a deterministic DKIM corpus for the benchmark (README.md).

    /usr/bin/python3 tests/bench/make_corpus.py [--n 2000] [--seed 6376] [--out DIR]

DIR defaults to build-bench/bench-corpus (git ignores build*/).

Writes DIR/messages/NNNNN.eml (CRLF line ends, as on the wire; alone in their
folder, so `mxray batch DIR/messages` reads only them), DIR/keys.zone (RFC 1035,
one SOA per domain, for mxray --dns), DIR/keys.json ({"sel._domainkey.dom":
"v=DKIM1; ..."} for libopendkim, dkimpy and mailauth) and DIR/manifest.json
(what each message is and what each signature should verify to).

Signing is done with dkimpy (Debian python3-dkim).  Keys are made once with
openssl into DIR/keys/ and reused: delete that folder to make new ones.  Given
the keys, the messages are byte-for-byte reproducible (seeded random, fixed
t= timestamps; RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic).
"""
import argparse
import base64
import json
import math
import os
import random
import re
import subprocess
import sys
import time as _time

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))

# 2025-03-03 00:00:00 UTC: messages are signed from here on, a few minutes apart.
T0 = 1740960000

WORDS = (
    "the of and to in is you that it he was for on are as with his they at be this have from "
    "or one had by word but not what all were we when your can said there use an each which she "
    "do how their if will up other about out many then them these so some her would make like him "
    "into time has look two more write go see number no way could people my than first water been "
    "call who oil its now find long down day did get come made may part order invoice account "
    "payment shipment delivery tracking update newsletter offer discount subscription renewal "
    "meeting agenda quarterly report review security password verify confirm statement balance "
    "customer support ticket request team project deadline schedule weekend event webinar free "
    "exclusive limited members rewards points receipt summary welcome thanks regards please"
).split()

FIRST = ("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert "
         "Sybil Trent Victor Walter Yolanda Zoe Ana Bruno Chen Dmitri Elif Fatima Goran Hana "
         "Ines Jonas Kenji Lena Mateo Noor").split()
LAST = ("Smith Jones Garcia Miller Davis Lopez Wilson Taylor Thomas Moore Martin Lee Clark "
        "Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell "
        "Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards").split()

AUTHOR_DOMAINS = [
    "northwind-traders.example", "contoso-bank.example", "fabrikam.example",
    "tailspin-toys.example", "wingtip-airlines.example", "adventure-works.example",
    "litware.example", "proseware.example", "woodgrove.example", "lucerne-publishing.example",
    "alpine-ski-house.example", "coho-winery.example", "margies-travel.example",
    "fourth-coffee.example", "blue-yonder.example", "humongous-insurance.example",
    "trey-research.example", "wide-world-importers.example", "graphic-design-institute.example",
    "school-of-fine-art.example", "relecloud.example", "datum-corp.example",
    "city-power-light.example", "consolidated-messenger.example",
]
# (domain, selector, key type): the ESPs that add a second signature
ESPS = [
    ("mailrelay-esp.example", "s2048a", "rsa2048"),
    ("mailrelay-esp.example", "s2048b", "rsa2048"),
    ("bulkpost.example", "k1", "rsa1024"),
    ("sendfast.example", "ed1", "ed25519"),
    ("sendfast.example", "rsa1", "rsa2048"),
]
RECEIVER = "mx.recipient.example"

CANONS = [((b"relaxed", b"relaxed"), 40), ((b"relaxed", b"simple"), 25),
          ((b"simple", b"simple"), 15), ((b"simple", b"relaxed"), 20)]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


# ---------------------------------------------------------------- keys

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, **kw).stdout


def make_key(path, ktype):
    """Create one key with openssl (once); return (private for dkimpy, DNS p= value)."""
    if not os.path.exists(path):
        tmp = path + ".tmp"
        if ktype.startswith("rsa"):
            bits = ktype[3:]
            pk8 = run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                       "rsa_keygen_bits:" + bits], stderr=subprocess.DEVNULL)
            # dkimpy wants the traditional PKCS#1 "RSA PRIVATE KEY"
            pem = run(["openssl", "rsa", "-traditional"], input=pk8, stderr=subprocess.DEVNULL)
        else:
            pem = run(["openssl", "genpkey", "-algorithm", "ed25519"], stderr=subprocess.DEVNULL)
        with open(tmp, "wb") as f:
            f.write(pem)
        os.replace(tmp, path)
    with open(path, "rb") as f:
        pem = f.read()
    pub = run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=pem,
              stderr=subprocess.DEVNULL)
    if ktype.startswith("rsa"):
        return pem, base64.b64encode(pub).decode()
    der = run(["openssl", "pkey", "-outform", "DER"], input=pem, stderr=subprocess.DEVNULL)
    # RFC 8463: p= is the raw 32-byte public key; dkimpy signs with the base64 seed
    return base64.b64encode(der[-32:]), base64.b64encode(pub[-32:]).decode()


def setup_keys(rng, out):
    kdir = os.path.join(out, "keys")
    os.makedirs(kdir, exist_ok=True)
    signers = {}	# domain -> [(selector, ktype)]
    for d in AUTHOR_DOMAINS:
        kt = weighted(rng, [("rsa2048", 60), ("rsa1024", 25), ("ed25519", 15)])
        sel = {"rsa2048": "sel2048", "rsa1024": "sel1024", "ed25519": "ed"}[kt] + \
            str(rng.randrange(2019, 2026))
        signers[d] = [(sel, kt)]
    for d, sel, kt in ESPS:
        signers.setdefault(d, []).append((sel, kt))
    keys = {}	# (domain, selector) -> (ktype, private, p)
    for d in sorted(signers):
        for sel, kt in signers[d]:
            priv, p = make_key(os.path.join(kdir, "%s.%s.%s.pem" % (sel, d, kt)), kt)
            keys[(d, sel)] = (kt, priv, p)
    return keys


def txt_value(kt, p):
    return "v=DKIM1; k=%s; p=%s" % ("ed25519" if kt == "ed25519" else "rsa", p)


def write_dns(out, keys):
    js = {}
    lines = ["; keys.zone - DKIM keys of the benchmark corpus (tests/bench/make_corpus.py).",
             "; Test keys only: the private halves are in keys/.", "$TTL 3600", ""]
    for d in sorted({d for d, _ in keys}):
        lines += ["$ORIGIN %s." % d,
                  "@ IN SOA ns1.%s. hostmaster.%s. ( 2025030301 7200 900 1209600 300 )" % (d, d),
                  "@ IN NS ns1.%s." % d, "ns1 IN A 192.0.2.53"]
        for (dd, sel), (kt, _, p) in sorted(keys.items()):
            if dd != d:
                continue
            v = txt_value(kt, p)
            js["%s._domainkey.%s" % (sel, d)] = v
            parts = [v[i:i + 255] for i in range(0, len(v), 255)]
            lines.append("%s._domainkey IN TXT ( %s )" % (sel, " ".join('"%s"' % s for s in parts)))
        lines.append("")
    with open(os.path.join(out, "keys.zone"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(out, "keys.json"), "w") as f:
        json.dump(js, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- message bodies

def sentence(rng):
    n = rng.randrange(6, 18)
    w = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(w).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def paragraph_text(rng, target):
    """Plain text of about target bytes, wrapped at 72, CRLF, with a little mess."""
    out, size = [], 0
    while size < target:
        words = " ".join(sentence(rng) for _ in range(rng.randrange(2, 7))).split(" ")
        line = ""
        for w in words:
            if len(line) + len(w) + 1 > 72:
                # relaxed vs simple must matter: some lines keep a trailing space
                out.append(line + (" " if rng.random() < 0.15 else ""))
                size += len(line) + 2
                line = w
            else:
                line = (line + " " + w) if line else w
        out.append(line)
        out.append("")
        size += len(line) + 4
    return "\r\n".join(out) + "\r\n"


def html_body(rng, target):
    parts = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8"><style>',
             'body{font-family:Arial,sans-serif;margin:0;padding:0}'
             ' td{padding:8px 12px;border-bottom:1px solid #eee} .btn{background:#0a66c2;color:#fff}',
             '</style></head><body>',
             '<table role="presentation" width="100%" cellpadding="0" cellspacing="0">']
    size = sum(len(p) for p in parts)
    while size < target:
        kind = rng.random()
        if kind < 0.5:
            s = '<tr><td style="font-size:14px;line-height:20px;color:#333333">%s</td></tr>' % \
                " ".join(sentence(rng) for _ in range(rng.randrange(1, 5)))
        elif kind < 0.8:
            s = ('<tr><td><a href="https://click.%s/track?u=%s&amp;m=%d" class="btn" '
                 'style="display:inline-block;padding:10px 18px">%s</a></td></tr>') % (
                rng.choice(AUTHOR_DOMAINS), "%016x" % rng.getrandbits(64), rng.randrange(10**6),
                rng.choice(WORDS).capitalize())
        else:
            s = ('<tr><td><img src="https://img.%s/%08x.png" width="600" height="%d" alt="%s" '
                 'style="display:block;border:0"></td></tr>') % (
                rng.choice(AUTHOR_DOMAINS), rng.getrandbits(32), rng.randrange(80, 400),
                rng.choice(WORDS))
        parts.append(s)
        size += len(s) + 2
    parts += ['</table></body></html>']
    return "\r\n".join(parts) + "\r\n"


def qp_encode(text):
    """Quoted-printable for ASCII text with CRLF lines: soft-wrap at 76, protect '=' and
    trailing blanks."""
    out = []
    for line in text.split("\r\n"):
        line = line.replace("=", "=3D")
        if line.endswith(" "):
            line = line[:-1] + "=20"
        while len(line) > 76:
            cut = 75
            while line[cut - 2:cut].find("=") >= 0 and cut > 70:
                cut -= 1
            out.append(line[:cut] + "=")
            line = line[cut:]
        out.append(line)
    return "\r\n".join(out)


def b64_lines(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76)) + "\r\n"


def lognorm(rng, median, sigma, lo, hi):
    return int(min(hi, max(lo, median * math.exp(rng.gauss(0, sigma)))))


def make_body(rng):
    """Returns (shape, content headers [(name, value)], body text)."""
    shape = weighted(rng, [("plain", 30), ("alternative", 45), ("attachment", 25)])
    # "empty" (a plain message without a body) is decided below
    if shape == "plain":
        text = paragraph_text(rng, lognorm(rng, 9000, 0.8, 300, 120000))
        if rng.random() < 0.5:
            return shape, [("Content-Type", "text/plain; charset=utf-8"),
                           ("Content-Transfer-Encoding", "quoted-printable")], qp_encode(text)
        x = rng.random()
        if x < 0.03:	# notification with an empty body, or just one line break
            return "empty", [("Content-Type", "text/plain; charset=us-ascii")], \
                rng.choice(["", "\r\n"])
        if x < 0.06:	# the last line lacks its CRLF (simple adds one, relaxed too)
            text = text.rstrip("\r\n")
        elif x < 0.25:	# trailing blank and whitespace-only lines (relaxed drops them)
            text += rng.choice(["\r\n\r\n", "\r\n \r\n\t\r\n", " \t\r\n\r\n"])
        if rng.random() < 0.3:	# 8bit UTF-8 (RFC 6152)
            words = text.split(" ")
            for k in range(0, len(words), rng.randrange(7, 15)):
                words[k] = rng.choice(["café", "naïve", "Grüße", "größer", "señor", "Zürich",
                                       "€100", "日本語", "привет", "ünïcödé"])
            return shape, [("Content-Type", "text/plain; charset=utf-8"),
                           ("Content-Transfer-Encoding", "8bit")], " ".join(words)
        return shape, [("Content-Type", "text/plain; charset=us-ascii"),
                       ("Content-Transfer-Encoding", "7bit")], text
    b1 = "----=_Part_%d_%d.%d" % (rng.randrange(10**6), rng.randrange(10**9), T0)
    txt = paragraph_text(rng, lognorm(rng, 3000, 0.7, 300, 40000))
    alt = ("--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
           "quoted-printable\r\n\r\n%s\r\n" % (b1, qp_encode(txt)))
    if shape == "alternative":
        html = html_body(rng, lognorm(rng, 20000, 0.7, 2000, 300000))
        alt += ("--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: "
                "quoted-printable\r\n\r\n%s\r\n--%s--\r\n" % (b1, qp_encode(html), b1))
        return shape, [("Content-Type", 'multipart/alternative;\r\n\tboundary="%s"' % b1)], alt
    b0 = "----=_Mixed_%d" % rng.getrandbits(48)
    alt += "--%s--\r\n" % b1
    name, ctype = rng.choice([("invoice-%d.pdf", "application/pdf"), ("photo-%d.jpg", "image/jpeg"),
                              ("report-%d.xlsx", "application/vnd.openxmlformats-officedocument"
                               ".spreadsheetml.sheet"), ("scan-%d.png", "image/png")])
    name = name % rng.randrange(1000, 99999)
    data = rng.randbytes(lognorm(rng, 30000, 1.0, 2000, 1500000))
    body = ("This is a multi-part message in MIME format.\r\n\r\n"
            "--%s\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n%s\r\n"
            "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; "
            "filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--%s--\r\n") % (
        b0, b1, alt, b0, ctype, name, name, b64_lines(data), b0)
    return shape, [("Content-Type", 'multipart/mixed;\r\n boundary="%s"' % b0)], body


# ---------------------------------------------------------------- headers and signing

def rfc5322_date(t):
    return _time.strftime("%a, %d %b %Y %H:%M:%S +0000", _time.gmtime(t))


def fold_maybe(rng, name, value):
    """Some senders fold long header values; relaxed header canonicalization unfolds."""
    if len(value) > 40 and rng.random() < 0.3:
        cut = value.rfind(" ", 0, 40)
        if cut > 0:
            return value[:cut] + "\r\n\t" + value[cut + 1:]
    return value


class FixedClock:
    """dkimpy stamps t= with time.time(): make it the message's signing time."""
    now = T0

    @classmethod
    def time(cls):
        return cls.now


def sign(msg, domain, sel, key, canon, headers, length):
    kt, priv, _ = key
    alg = b"ed25519-sha256" if kt == "ed25519" else b"rsa-sha256"
    return dkim.sign(msg, sel.encode(), domain.encode(), priv, canonicalize=canon,
                     signature_algorithm=alg, include_headers=[h.encode() for h in headers],
                     length=length)


def make_message(rng, i, keys, esp_domains):
    t = T0 + i * 173 + rng.randrange(60)
    FixedClock.now = t
    author = rng.choice(AUTHOR_DOMAINS)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    rcpt_first = rng.choice(FIRST)
    shape, ctype, body = make_body(rng)
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 10))).capitalize()
    two = rng.random() < 0.34
    esp = rng.choice(ESPS) if two else None
    hdrs = [
        ("From", '"%s %s" <%s.%s@%s>' % (first, last, first.lower(), last.lower(), author)),
        ("To", "%s <%s@recipient.example>" % (rcpt_first, rcpt_first.lower())),
        ("Subject", subject),
        ("Date", rfc5322_date(t - rng.randrange(1, 30))),
        ("Message-ID", "<%016x.%d@%s>" % (rng.getrandbits(64), i, esp[0] if esp else author)),
        ("MIME-Version", "1.0"),
    ] + ctype
    if rng.random() < 0.3:
        hdrs.append(("Reply-To", "support@%s" % author))
    if esp:
        hdrs += [("List-Unsubscribe", "<https://unsub.%s/u/%016x>, <mailto:unsub-%x@%s>" % (
            esp[0], rng.getrandbits(64), rng.getrandbits(32), esp[0])),
                 ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                 ("Feedback-ID", "%d:%d:%s:%s" % (rng.randrange(100), rng.randrange(10**5),
                                                 rng.choice(["news", "txn", "promo"]), esp[0]))]
    if rng.random() < 0.4:
        hdrs.append(("X-Mailer", rng.choice(["Microsoft Outlook 16.0", "Apple Mail (2.3774)",
                                              "PHPMailer 6.9.1", "Mailchimp Mailer"])))
    if rng.random() < 0.1:	# sloppy writers: runs of blanks, tabs, odd name case
        hdrs = [(n.upper() if n == "Subject" and rng.random() < 0.5 else n,
                 v.replace(" ", rng.choice(["  ", " \t", "\t"])) if n in ("Subject", "To")
                 else v) for n, v in hdrs]
    head = "".join("%s:%s%s\r\n" % (n, " " if rng.random() < 0.97 else rng.choice(["", "  ", "\t"]),
                                      fold_maybe(rng, n, v)) for n, v in hdrs)
    msg = (head + "\r\n" + body).encode()

    sigs = []
    names = [n.lower() for n, _ in hdrs]
    sel, kt = rng.choice([(s, k) for (d, s), (k, _, _) in keys.items() if d == author])
    # author signature: the usual set, From and Subject sometimes over-signed
    h = [n for n in ["from", "to", "subject", "date", "message-id", "reply-to", "mime-version",
                     "content-type", "content-transfer-encoding"] if n in names]
    if rng.random() < 0.4:
        h += ["from", "subject"]
    if rng.random() < 0.2:	# sign fields that are absent, so none can be added
        h += [x for x in ("cc", "reply-to", "in-reply-to", "references") if x not in names]
    canon = weighted(rng, CANONS)
    length = rng.random() < 0.08
    sig = sign(msg, author, sel, keys[(author, sel)], canon, h, length)
    sigs.append({"d": author, "s": sel, "key": kt, "c": b"/".join(canon).decode(), "l": length})
    msg = sig + msg
    if esp:
        d, esel, ekt = esp
        h = [n for n in ["from", "to", "subject", "date", "message-id", "list-unsubscribe",
                         "list-unsubscribe-post", "feedback-id", "mime-version", "content-type"]
             if n in names]
        canon = weighted(rng, CANONS)
        length = rng.random() < 0.05
        sig = sign(msg, d, esel, keys[(d, esel)], canon, h, length)
        sigs.insert(0, {"d": d, "s": esel, "key": ekt, "c": b"/".join(canon).decode(),
                        "l": length})
        msg = sig + msg

    # in transit: a tenth is changed the way mailing lists and gateways change mail
    tamper = None
    if rng.random() < 0.10:
        tamper = rng.choice(["footer", "subject"])
        if tamper == "footer":
            msg += (b"\r\n_______________________________________________\r\n"
                    b"Announce mailing list -- unsubscribe: https://lists.example/u\r\n")
        else:
            msg = re.sub(rb"(\r\nsubject:[ \t]*)", rb"\1[Announce] ", msg, count=1,
                         flags=re.I)
    for s in sigs:
        if tamper == "subject":
            s["expect"] = "fail"
        elif tamper == "footer":
            s["expect"] = "pass" if s["l"] else "fail"	# l= leaves the footer unsigned
        else:
            s["expect"] = "pass"

    # Received fields, newest on top: the receiver's, then the sender side's
    sender_host = "mta%d.%s" % (rng.randrange(1, 40), esp[0] if esp else author)
    ip = "198.51.100.%d" % rng.randrange(1, 255)
    rcvd = ("Received: from %s (%s [%s])\r\n\tby %s (Postfix) with ESMTPS id %X\r\n"
            "\tfor <%s@recipient.example>; %s\r\n") % (
        sender_host, sender_host, ip, RECEIVER, rng.getrandbits(40), rcpt_first.lower(),
        rfc5322_date(t + rng.randrange(2, 90)))
    inner = ("Received: from app%d.internal (app.internal [10.0.%d.%d])\r\n\tby %s with ESMTP "
             "id %x; %s\r\n") % (rng.randrange(1, 9), rng.randrange(255), rng.randrange(255),
                                 sender_host, rng.getrandbits(48), rfc5322_date(t + 1))
    front = "Return-Path: <bounce-%x@%s>\r\n" % (rng.getrandbits(32), esp[0] if esp else author)
    msg = (front + rcvd + inner).encode() + msg
    return msg, {"shape": shape, "size": len(msg), "tamper": tamper, "signatures": sigs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=6376)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "build-bench", "bench-corpus"),
                    help="default: build-bench/bench-corpus (ignored by git like every build*/)")
    args = ap.parse_args()
    mdir = os.path.join(args.out, "messages")
    os.makedirs(mdir, exist_ok=True)
    # the messages of an earlier run (and of the old layout, .eml beside the keys)
    for d in (mdir, args.out):
        for f in os.listdir(d):
            if f.endswith(".eml"):
                os.unlink(os.path.join(d, f))
    dkim.time = FixedClock	# t= from the message, not the wall clock
    rng = random.Random(args.seed)
    keys = setup_keys(random.Random(args.seed ^ 0x5eed), args.out)
    write_dns(args.out, keys)
    manifest = {}
    sizes = []
    for i in range(args.n):
        msg, info = make_message(rng, i, keys, ESPS)
        name = "%05d.eml" % i
        with open(os.path.join(mdir, name), "wb") as f:
            f.write(msg)
        manifest[name] = info
        sizes.append(len(msg))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    sizes.sort()
    nsig = sum(len(m["signatures"]) for m in manifest.values())
    print("corpus: %d messages, %d signatures, %.1f MB, median %.1f KB, p90 %.1f KB, max %.1f KB"
          % (args.n, nsig, sum(sizes) / 1e6, sizes[len(sizes) // 2] / 1e3,
             sizes[len(sizes) * 9 // 10] / 1e3, sizes[-1] / 1e3), file=sys.stderr)


if __name__ == "__main__":
    main()
