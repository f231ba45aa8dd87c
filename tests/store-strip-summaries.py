#!/usr/bin/env python3
"""tests/store-strip-summaries.py IN OUT: the store IN without its order-id summaries
(column 8, written first in each ORDS block; docs/FORMAT.md), column counts, block CRCs
and the commit record fixed: the bytes an older crmkit wrote for the same orders. The
golden case import-store-bytes-but-summaries.t compares them with one."""
import struct
import sys
import zlib


def strip(b):
    mlen = struct.unpack_from('<I', b, 12)[0]
    out, pos, removed = bytearray(b[:40 + mlen]), 40 + mlen, 0
    while pos < len(b):
        kind, length, number = struct.unpack_from('<4sII', b, pos)
        payload = bytearray(b[pos + 16:pos + 16 + length])
        if kind == b'ORDS' and payload[24] == 8:
            size = struct.unpack_from('<I', payload, 24 + 8)[0]
            del payload[24:24 + 20 + size]
            struct.pack_into('<I', payload, 4, struct.unpack_from('<I', payload, 4)[0] - 1)
            removed += 20 + size
        head = struct.pack('<4sII', kind, len(payload), number)
        out += head + struct.pack('<I', zlib.crc32(bytes(payload), zlib.crc32(head)))
        out += payload
        pos += 16 + length
    if struct.unpack_from('<Q', out, 24)[0]:          # committed length and its crc
        seq = struct.unpack_from('<Q', out, 32)[0]
        struct.pack_into('<Q', out, 24, len(out))
        struct.pack_into('<I', out, 20, zlib.crc32(struct.pack('<QQ', len(out), seq)))
    return out, removed


if __name__ == '__main__':
    data, removed = strip(open(sys.argv[1], 'rb').read())
    open(sys.argv[2], 'wb').write(data)
    print(f'{removed} bytes of order-id summaries removed')
