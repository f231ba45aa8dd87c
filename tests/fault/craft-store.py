#!/usr/bin/env python3
"""craft-store.py BASE DIR: writes crafted stores into DIR, one per way a store can lie
(SPEC 13.3): deflate bombs (a column declaring far more bytes than its rows may take; a
column inflating past its declared raw length; a dictionary declaring 150 MB), an id
longer than a store keeps, a customer id that is not UTF-8, times outside the years
1-9999, money scales outside 0-6, a negative quantity. BASE is a streamed store (commit
record 0) of at least one chunk. Every block keeps a valid CRC, so only the new checks
can catch them. Prints each file name and the chunk its error must name."""
import struct
import sys
import zlib

BASE, OUT = sys.argv[1], sys.argv[2]
data = open(BASE, 'rb').read()
MLEN = struct.unpack_from('<I', data, 12)[0]
META = data[40:40 + MLEN]


def crc(b):
    return zlib.crc32(b) & 0xffffffff


def blocks_of(d):
    out, pos = [], 40 + MLEN
    while pos < len(d):
        t, n, _num, _c = struct.unpack_from('<4sIII', d, pos)
        out.append([t, bytes(d[pos + 16:pos + 16 + n])])
        pos += 16 + n
    return out


def write(name, blocks, meta=META):
    h = bytearray(data[:40])
    struct.pack_into('<I', h, 12, len(meta))
    struct.pack_into('<I', h, 16, crc(bytes(h[:16]) + meta))
    struct.pack_into('<IQQ', h, 20, crc(bytes(16)), 0, 0)
    out = bytearray(h) + meta
    for i, (t, p) in enumerate(blocks):
        bh = struct.pack('<4sII', t, len(p), i)
        out += bh + struct.pack('<I', crc(bh + p)) + p
    open('%s/%s.crm' % (OUT, name), 'wb').write(out)


def deflate(raw):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return z.compress(raw) + z.flush()


def varint(n):
    b = bytearray()
    while True:
        if n < 0x80:
            b.append(n)
            return bytes(b)
        b.append((n & 0x7f) | 0x80)
        n >>= 7


def cols_of(p, pos, count):
    cols = []
    for _ in range(count):
        cid, enc, planes, raw, stored, base = struct.unpack_from('<BBHIIq', p, pos)
        pos += 20
        cols.append([cid, enc, planes, raw, base, p[pos:pos + stored]])
        pos += stored
    return cols


def pack_cols(cols):
    out = b''
    for cid, enc, planes, raw, base, stored in cols:
        out += struct.pack('<BBHIIq', cid, enc, planes, raw, len(stored), base) + stored
    return out


def first(blocks, t):
    return next(i for i, b in enumerate(blocks) if b[0] == t)


def ords_with(col_id, enc, raw_len, stored, base=0, lo=None, hi=None):
    """The base store with chunk 0's column col_id replaced."""
    b = blocks_of(data)
    i = first(b, b'ORDS')
    p = b[i][1]
    n, nc, mn, mx = struct.unpack_from('<IIqq', p, 0)
    cols = cols_of(p, 24, nc)
    for c in cols:
        if c[0] == col_id:
            c[1:6] = [enc, 0, raw_len, base, stored]
    mn = mn if lo is None else lo
    mx = mx if hi is None else hi
    b[i][1] = struct.pack('<IIqq', n, nc, mn, mx) + pack_cols(cols)
    if lo is not None:     # the END blocks' totals agree (one chunk: its range is the store's)
        for blk in b:
            if blk[0] == b'END.':
                blk[1] = blk[1][:32] + struct.pack('<qq', mn, mx) + blk[1][48:]
    return b, n


def dict_with(ids_raw, declared=None):
    """The base store with the first DICT block's ids replaced by ids_raw (deflated)."""
    b = blocks_of(data)
    i = first(b, b'DICT')
    p = b[i][1]
    frm, count = struct.unpack_from('<II', p, 0)
    c = cols_of(p, 8, 1)[0]
    c[1:6] = [0x40 | 0x20, 0, len(ids_raw) if declared is None else declared, 0,
              deflate(ids_raw)]
    b[i][1] = struct.pack('<II', frm, count) + pack_cols([c])
    return b, count


def dict_ids():
    b = blocks_of(data)
    p = b[first(b, b'DICT')][1]
    count = struct.unpack_from('<I', p, 4)[0]
    c = cols_of(p, 8, 1)[0]
    raw = zlib.decompress(c[5], -15) if c[1] & 0x20 else c[5]
    ids, at = [], 0
    for _ in range(count):
        n, shift = 0, 0
        while True:
            x = raw[at]
            at += 1
            n |= (x & 0x7f) << shift
            shift += 7
            if x < 0x80:
                break
        ids.append(raw[at:at + n])
        at += n
    return ids


def ids_raw(ids):
    return b''.join(varint(len(x)) + x for x in ids)


W8, DEFL = 8, 0x20
YEAR1 = -62135596800
YEAR9999_END = 253402300799
BIG = int(__import__('os').environ.get('CRAFT_BIG_MB', '120')) << 20

# a column declaring 120 MB for its rows (at most 8 bytes a row): refused before inflating
b, n = ords_with(2, W8 | DEFL, BIG, deflate(bytes(BIG)))
write('bomb-declared-time', b)
# a column inflating past its declared raw length (declares n*8, holds 120 MB of zeros)
b, n = ords_with(2, W8 | DEFL, n * 8, deflate(bytes(BIG)))
write('bomb-inflates-past', b)
# a dictionary declaring 150 MB for its entries (its ids are at most 1024 bytes each)
big = BIG * 5 // 4
write('bomb-dictionary', dict_with(varint(big) + b'a' * big)[0])
# one id longer than a store keeps (inside the block's bound)
ids = dict_ids()
write('dict-id-too-long', dict_with(ids_raw([b'a' * 2000] + ids[1:]))[0])
# a customer id that is not valid UTF-8 (same length)
write('dict-id-not-utf8', dict_with(ids_raw([b'\xff' + ids[0][1:]] + ids[1:]))[0])
write('dict-id-surrogate', dict_with(ids_raw([b'\xed\xa0\x80'] + ids[1:]))[0])
# times outside the years 1-9999 (the chunk's range and its rows)
vals = struct.pack('<%dq' % n, *([YEAR1 - 1] * n))
write('time-before-year-1', ords_with(2, W8, n * 8, vals, 0, YEAR1 - 1, YEAR1 - 1)[0])
vals = struct.pack('<%dq' % n, *([YEAR9999_END + 1] * n))
write('time-after-year-9999',
      ords_with(2, W8, n * 8, vals, 0, YEAR9999_END + 1, YEAR9999_END + 1)[0])
# a negative quantity in row 5
q = [1] * n
q[5] = -3
write('quantity-negative', ords_with(4, W8, n * 8, struct.pack('<%dq' % n, *q))[0])
# money scales outside 0-6, or not a number
for name, v in (('scale-7', b'7'), ('scale-minus-1', b'-1'), ('scale-2x', b'2x'),
                ('scale-huge', b'99999999999999999999'), ('scale-empty', b'')):
    write('money-' + name, blocks_of(data), META.replace(b'money_scale=2', b'money_scale=' + v))
