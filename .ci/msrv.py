"""Fails when a dependency in use needs a newer Rust than the crate's rust-version.

Reads `cargo metadata` on standard input.
"""
import json
import sys


def version(text):
    parts = [int(part) for part in (text or "0").split(".")]
    return tuple((parts + [0, 0, 0])[:3])


meta = json.load(sys.stdin)
root = next(p for p in meta["packages"] if p["name"] == "cxmetrics")
msrv = version(root["rust_version"])
used = {node["id"] for node in meta["resolve"]["nodes"]}
late = [
    "{} {} needs {}".format(p["name"], p["version"], p["rust_version"])
    for p in meta["packages"]
    if p["id"] in used and p["rust_version"] and version(p["rust_version"]) > msrv
]
if late:
    print("dependencies newer than rust-version", root["rust_version"], ":", ", ".join(late))
    sys.exit(1)
print("every dependency builds with rust-version", root["rust_version"], "or older")
