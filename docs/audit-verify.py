#!/usr/bin/env python3
"""Verify a `kairos audit export --out DIR` folder without kairos: python3 audit-verify.py DIR [PUBLIC_KEY.pem]

Needs only hashlib (standard library) and the `cryptography` package for Ed25519.
Checks: every line of records.jsonl says its own position as "seq"; the chain
h_0 = 32 zero bytes, h_i = SHA-256(h_{i-1} || line_i) matches chain.txt; each anchor in
anchors.jsonl is signed by the key (Ed25519 over the UTF-8 bytes of "signed"), the anchors
cover 1..N contiguously, and each anchor's "root" is the RFC 6962 Merkle tree hash of its
records (leaf = SHA-256(0x00 || line), node = SHA-256(0x01 || left || right)) and its "head" is
h_toSeq. Pass the public key you trust as the 2nd argument (else the export's own copy is used).
Prints {"ok", "records", "firstBadSeq"} and exits 1 on the first bad record.
"""
import hashlib, json, sys, base64
from cryptography.hazmat.primitives.serialization import load_pem_public_key

def mth(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()

def main(d, key_path=None):
    lines = open(f"{d}/records.jsonl", "rb").read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    chain = [l for l in open(f"{d}/chain.txt").read().split("\n") if l]
    key = load_pem_public_key(open(key_path or f"{d}/public-key.pem", "rb").read())
    anchors = []
    for l in open(f"{d}/anchors.jsonl").read().split("\n"):
        if not l:
            continue
        a = json.loads(l)
        key.verify(base64.b64decode(a["sig"]), a["signed"].encode())  # raises InvalidSignature
        body = json.loads(a["signed"])
        expected = anchors[-1]["toSeq"] + 1 if anchors else 1
        if body["fromSeq"] != expected:
            return result(False, 0, expected)
        anchors.append(body)
    by_to = {a["toSeq"]: a for a in anchors}
    h, leaves, start = bytes(32), [], 1
    for i, line in enumerate(lines, start=1):
        try:
            if json.loads(line.decode("utf-8"))["seq"] != i:
                return result(False, i - 1, i)
        except Exception:
            return result(False, i - 1, i)
        h = hashlib.sha256(h + line).digest()
        if i > len(chain) or chain[i - 1] != h.hex():
            return result(False, i - 1, i)
        leaves.append(hashlib.sha256(b"\x00" + line).digest())
        if i in by_to:
            a = by_to[i]
            if mth(leaves) .hex() != a["root"] or h.hex() != a["head"]:
                return result(False, i, a["fromSeq"])
            leaves = []
    last = anchors[-1]["toSeq"] if anchors else 0
    if last > len(lines):
        return result(False, len(lines), len(lines) + 1)
    return result(True, len(lines), None)

def result(ok, records, first_bad):
    print(json.dumps({"ok": ok, "records": records, "firstBadSeq": first_bad}))
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
