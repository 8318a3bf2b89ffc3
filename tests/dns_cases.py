"""The lookups both DNS tests run, against fixtures/dns/*.zone."""
CASES = [
    ("multi.example.com", "TXT"),        # one record, several strings: concatenated
    ("several.example.com", "TXT"),      # several records: kept apart
    ("c1.example.com", "TXT"),           # CNAME chain
    ("c1.example.com", "CNAME"),         # the CNAME itself, not followed
    ("loop1.example.com", "TXT"),        # CNAME loop: bounded
    ("nothere.example.com", "TXT"),      # NXDOMAIN
    ("several.example.com", "A"),        # NODATA
    ("b.ent.example.com", "TXT"),        # empty non-terminal: NODATA, not NXDOMAIN
    ("x.wild.example.com", "TXT"),       # wildcard
    ("big.example.com", "TXT"),          # over 512 bytes: TCP after a truncated UDP answer
    ("example.com", "MX"),
    ("mx1.example.com", "A"),
    ("mx1.example.com", "AAAA"),
    ("MX1.Example.COM.", "A"),           # case and the trailing dot
    ("sel._domainkey.example.com", "TXT"),
    ("_dmarc.example.com", "TXT"),
    ("25.2.0.192.in-addr.arpa", "PTR"),
]
