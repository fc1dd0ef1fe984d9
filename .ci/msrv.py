"""Fails when a dependency in use needs a newer Rust than the package using it.

Reads `cargo metadata` on standard input. Each workspace member is checked on
its own against its own rust-version, over the packages it depends on (normal,
build and dev dependencies, transitively): the core crate keeps its older
rust-version even though an adapter in the same workspace needs a newer one.
"""
import json
import sys


def version(text):
    parts = [int(part) for part in (text or "0").split(".")]
    return tuple((parts + [0, 0, 0])[:3])


meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
edges = {node["id"]: [dep["pkg"] for dep in node["deps"]] for node in meta["resolve"]["nodes"]}


def closure(start):
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        for dep in edges.get(current, []):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


failed = False
for member in meta["workspace_members"]:
    root = packages[member]
    if not root["rust_version"]:
        print(root["name"], "declares no rust-version")
        failed = True
        continue
    msrv = version(root["rust_version"])
    late = sorted(
        "{} {} needs {}".format(packages[i]["name"], packages[i]["version"], packages[i]["rust_version"])
        for i in closure(member)
        if packages[i]["rust_version"] and version(packages[i]["rust_version"]) > msrv
    )
    if late:
        print(root["name"], "has dependencies newer than its rust-version", root["rust_version"], ":", ", ".join(late))
        failed = True
    else:
        print(root["name"], ": every dependency builds with rust-version", root["rust_version"], "or older")
sys.exit(1 if failed else 0)
