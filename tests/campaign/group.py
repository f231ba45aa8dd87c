#!/usr/bin/env python3
"""The control-group rule of crm-campaign(1), written again from the man page alone:
FNV-1a 64 over salt, a 0x00 byte and the customer id; splitmix64's finaliser; the top 53
bits as a fraction u; control when u < F.  Usage: group.py SALT F < ids  → "id,group" lines."""
import sys

M = (1 << 64) - 1


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & M
    return h


def group(salt, cid, f):
    z = fnv1a(salt.encode() + b"\0" + cid.encode())
    z ^= z >> 30
    z = (z * 0xbf58476d1ce4e5b9) & M
    z ^= z >> 27
    z = (z * 0x94d049bb133111eb) & M
    z ^= z >> 31
    u = (z >> 11) / 2.0 ** 53
    return "control" if u < f else "treatment"


if __name__ == "__main__":
    salt, f = sys.argv[1], float(sys.argv[2])
    out = sys.stdout
    for line in sys.stdin:
        cid = line.rstrip("\n").strip(" \t")
        out.write("%s,%s\n" % (cid, group(salt, cid, f)))
