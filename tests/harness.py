"""What the DKIM and ARC conformance harnesses share: messages as mxray reads
them (CRLF, header fields, body) and the zone files they hand it (docs/dns.md).
"""
import os


def crlf(data):
    """What mxray verifies: LF-only input read as CRLF, CRLF input as it is."""
    return data if b"\r\n" in data else data.replace(b"\n", b"\r\n")


def header_fields(data):
    """[(lower-case name, raw field bytes with CRLF)] of the header, top down."""
    data = crlf(data)
    if data.startswith(b"\r\n"):
        return []
    end = data.find(b"\r\n\r\n")
    head = data[:end + 2] if end >= 0 else data
    lines = head.split(b"\r\n")
    if head.endswith(b"\r\n"):
        lines = lines[:-1]
    fields = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += line + b"\r\n"
        else:
            fields.append([line.split(b":", 1)[0].strip().decode("latin-1").lower(),
                           line + b"\r\n"])
    return [(n, r) for n, r in fields]


def body_of(data):
    data = crlf(data)
    if data.startswith(b"\r\n"):
        return data[2:]
    end = data.find(b"\r\n\r\n")
    return data[end + 4:] if end >= 0 else b""


def txt_rdata(text, encoding="latin-1"):
    """A TXT value as zone-file strings: 255-byte chunks, \\DDD for what is not printable."""
    raw = text.encode(encoding) if isinstance(text, str) else text
    chunks = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    out = []
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


def atomic_write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_zone(path, dns, encoding="latin-1"):
    """dns: {owner: [TXT value, ...] | "NXDOMAIN" / "TIMEOUT" / "SERVFAIL"}; returns PATH."""
    lines = [". 3600 IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 60"]
    for name, vals in dns.items():
        fq = name.rstrip(".") + "."
        if isinstance(vals, str):
            lines.append("; mxray-dns: %s TXT %s" % (fq, vals))
            continue
        for v in vals:
            lines.append("%s 300 IN TXT %s" % (fq, txt_rdata(v, encoding)))
    atomic_write(path, ("\n".join(lines) + "\n").encode(encoding))
    return path
