#!/usr/bin/env python3
"""Writes the hand-written seed corpus under fuzz/corpus/<target>/.

Run from anywhere: `python3 fuzz/make_seeds.py`. Each seed is named after a hash of its
content, as libFuzzer names corpus files, so rerunning is idempotent. The seeds are the
interesting values of cases/*.toml (origins, look-alikes, IPv6, ports, hostile lengths)
plus policy files in both formats; libFuzzer grows its own corpus from them in a working
directory outside the tree (see README.md).
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- origin_matching
ORIGINS = [
    # allowed by the pattern policy
    "https://app.example.com",
    "https://admin.example.org",
    "http://[::1]:3000",
    "http://127.0.0.1:8080",
    "https://api.example.net:8443",
    "https://a.example.com",
    "https://a.b.example.com",
    "https://a-b_c.example.com",
    "https://x.example.org:8443",
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:65535",
    "null",
    # refused: look-alikes, case, ports, shapes
    "https://example.com",
    "https://.example.com",
    "https://a..example.com",
    "https://evil-example.com",
    "https://example.com.evil.net",
    "https://api.example.com.evil.net",
    "https://APP.EXAMPLE.COM",
    "https://App.Example.COM",
    "HTTPS://app.example.com",
    "https://A.example.com",
    "http://a.example.com",
    "https://a.example.com:443",
    "https://a.example.com:8443",
    "https://x.example.org",
    "https://x.example.org:08443",
    "https://x.example.org:8443:8443",
    "https://app.example.com/",
    "https://api.example.com/",
    "https://a/b.example.com",
    "https://user@a.example.com",
    "http://localhost:",
    "http://localhost:abc",
    "http://localhost.evil.net:3000",
    "http://evillocalhost:3000",
    "http://app.localhost:3000",
    "ws://localhost:3000",
    "http://[0:0:0:0:0:0:0:1]:3000",
    "http://[::1]",
    "http://[::1]:3001",
    "http://[::ffff:127.0.0.1]:3000",
    "http://127.0.0.1:8080/",
    "Null",
    "NULL",
    "null ",
    "",
    " ",
    "https://",
    "://",
    "https://a.example.com\r\nSet-Cookie: x=1",
    "https://a.example.com\x00",
    "https://\xc3\xa9.example.com",
    "https://xn--bcher-kva.example.com",
]
for origin in ORIGINS:
    write("origin_matching", origin)
write("origin_matching", b"https://a.example.com\xff")
# 512 bytes (the limit) and 513: an allowed subdomain origin either side of it.
suffix = ".example.com"
for total in (511, 512, 513, 600):
    labels_len = total - len("https://") - len(suffix)
    labels = ".".join(["a" * 63] * (labels_len // 64 + 1))[:labels_len].rstrip(".")
    labels = labels + "b" * (labels_len - len(labels))
    write("origin_matching", "https://" + labels + suffix)
write("origin_matching", "h" * 600)

# ---------------------------------------------------------------- request_headers
# byte 0: policy (0 list, 1 `*`, 2 `*`+authorization, 3 `*` with credentials,
# 4 list with credentials, 5 empty); byte 1: inflate the first line by byte1 * 128;
# then lines separated by \n.
HEADER_LINES = [
    "content-type",
    "content-type,x-api-key",
    "Content-Type,X-API-KEY",
    " X-Custom-Header , content-type\t",
    "authorization",
    "Authorization,x-a",
    "authorization,content-type,x-a",
    "x-other",
    "content type",
    "caf\xc3\xa9",
    ",content-type",
    ",,",
    "",
    "*",
    "x-a\nx-b",
    "content-type\n X-Custom ,",
    "a\nb\nc\nd\ne\nf\ng\nh",
    "a\nb\nc\nd\ne\nf\ng\nh\ni",
    "," * 15,
    "," * 16,
    "," * 1000,
    "x-a," * 128,
    "x-a," * 129,
]
for selector in range(6):
    for lines in HEADER_LINES:
        write("request_headers", bytes([selector, 0]) + lines.encode())
# Inflated: "x," * 128 * 64 = 16 KiB exactly, and one more byte; 1000 commas.
write("request_headers", bytes([1, 64]) + b"x,")
write("request_headers", bytes([1, 64]) + b"x,\ny")
write("request_headers", bytes([0, 1]) + b"," * 1000)
write("request_headers", bytes([3, 200]) + b"a")

# ---------------------------------------------------------------- policy_config
POLICIES = [
    {},
    {"allow_origins": ["https://app.example.com"]},
    {"allow_origins": ["https://app.example.com", "https://admin.example.org", "http://localhost:3000"]},
    {"allow_origins": ["https://App.Example.COM"]},
    {"allow_origins": ["https://*.example.com"]},
    {"allow_origins": ["https://example.com", "https://*.example.com"]},
    {"allow_origins": ["http://localhost:*"]},
    {"allow_origins": ["http://[::1]:3000"]},
    {"allow_origins": ["null", "https://app.example.com"]},
    {"allow_origins": ["*"]},
    {"allow_origins": ["*"], "allow_credentials": True},
    {"allow_origins": ["null"], "allow_credentials": True},
    {"allow_origins": ["https://*.co.uk"], "allow_credentials": True},
    {"allow_origins": ["http://app.example.com"], "allow_credentials": True},
    {"allow_origins": ["http://app.example.com"], "allow_credentials": True,
     "allow_credentials_over_plain_http": True},
    {"allow_origins": ["https://a.com/", "https://b.com:443", "https://ok.com"],
     "allow_methods": ["GET", "TRACE"], "allow_headers": ["x ok"], "expose_headers": ["*"],
     "allow_credentials": True, "max_age": 86401},
    {"allow_origins": ["https://app.example.com", "https://*.example.com"],
     "allow_methods": ["GET", "POST", "PUT", "DELETE"],
     "allow_headers": ["content-type", "authorization"], "expose_headers": ["x-request-id"],
     "allow_credentials": False, "max_age": 600, "allow_private_network": False},
    {"allow_origins": ["https://app.example.com"], "allow_methods": ["*"],
     "allow_headers": ["*", "authorization"], "expose_headers": ["*"], "allow_private_network": True},
    {"allow_origins": ["https://app.example.com"], "allow_headers": ["cookie"],
     "expose_headers": ["set-cookie"]},
    {"allow_origins": ["https://app.example.com"], "max_age": 18446744073709551615},
]


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v)


for policy in POLICIES:
    write("policy_config", json.dumps(policy, indent=2))
    write("policy_config", "".join(f"{k} = {toml_value(v)}\n" for k, v in policy.items()))
for text in [
    "allow_credentials = \"yes\"",
    "allow_origins = [\"https://a.com\", 3]",
    "allow_origin = [\"https://a.com\"]",
    "allow_origins = [",
    "allow_origins = []\n\nallow_credentials = \"yes\"\n",
    "{\"allow_methods\": [\"GET\", null]}",
    "{} x",
    "{\n  \"max_age\": \"ten\"\n}",
    "{\"max_age\": 90000}",
    "{\"max_age\": -1}",
    "{\"max_age\": 1e3}",
    "[allow_origins]\nx = 1",
    "\"allow_origins\" = [\"https://\\u0061.com\"]",
    "'a\\nb' = 1",
    "{\"a\\nb\": 1}",
    "{\"allow_origins\": [\"https://app.example.com\"], \"allow_origins\": []}",
]:
    write("policy_config", text)

# ---------------------------------------------------------------- decision
# The decision target decodes its input with `arbitrary`, so these are byte blobs that
# carry the interesting strings; the dictionary and libFuzzer's comparison tracing do
# the rest.
BLOBS = [
    b"\x00\x01https://app.example.com\x00PUT\x00content-type\x00true",
    b"\x01\x01\x01\x17https://app.example.com\x01\x03PUT\x01\x0dauthorization",
    b"\x02\x01\x01\x13http://localhost:300\x01\x06DELETE\x01\x01\x01\x04true",
    b"\x03\x00null\x00GET",
    b"\x04\x05\x01https://a.b.example.com\x01PATCH\x01x-a,content-type",
    b"\x05\x01\x01https://a.example.org:8443\x01\x01patch\x01\x01X-A\x01\x01true",
    b"\x06\x01\x01http://[::1]:3000\x01\x01FROBNICATE\x01\x01" + b"," * 40,
    b"\xff" * 64,
    b"\x00" * 64,
]
for blob in BLOBS:
    write("decision", blob)
for origin in ORIGINS[:20]:
    write("decision", b"\x00\x01\x01" + origin.encode() + b"\x01\x01PUT\x01\x01x-a")
