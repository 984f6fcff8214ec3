#!/usr/bin/env python3
"""Hand-built TFLite flatbuffers whose vectors alias one table (amplification tests).

From ../shared/findings/gen_fbalias.py (the reliability probe, issue 18), with a fifth
argument: 'table' (default) makes every tensor entry point at one tensor table;
'shared' makes a table per entry, all pointing at one name string and one
quantization table (its scale vector), which the importer's work budget refuses;
'while' writes a model of two subgraphs (memplan reads subgraph 0 and warns)."""
import struct, sys

class W:
    def __init__(s): s.b = bytearray()
    def pad(s, a, extra=0):
        while (len(s.b) + extra) % a: s.b.append(0)
    def u32(s, v): s.b += struct.pack('<I', v & 0xffffffff)
    def patch(s, slot, target):
        assert target > slot
        struct.pack_into('<I', s.b, slot, target - slot)
    def table(s, fields):
        """fields: list of None | ('s', width, value) | ('r',) ; returns (pos, slots)"""
        offs, pos = [], 4
        for f in fields:
            if f is None: offs.append(0); continue
            w = 4 if f[0] == 'r' else f[1]
            while pos % w: pos += 1
            offs.append(pos); pos += w
        tsize = (pos + 3) // 4 * 4
        s.pad(4)
        vt = len(s.b)
        s.b += struct.pack('<HH', 4 + 2 * len(fields), tsize)
        for o in offs: s.b += struct.pack('<H', o)
        s.pad(8)
        t = len(s.b)
        s.b += bytes(tsize)
        struct.pack_into('<i', s.b, t, t - vt)
        slots = {}
        for i, f in enumerate(fields):
            if f is None: continue
            if f[0] == 's':
                fmt = {1: '<B', 4: '<I', 8: '<Q'}[f[1]]
                struct.pack_into(fmt, s.b, t + offs[i], f[2])
            else:
                slots[i] = t + offs[i]
        return t, slots
    def vector(s, data, n, align=4):
        s.pad(max(align, 4), 4)
        p = len(s.b); s.u32(n); s.b += data
        return p
    def string(s, txt):
        p = s.vector(txt, len(txt)); s.b.append(0); return p

def model(n_alias, name_len=0, n_scales=0, mode="table"):
    w = W()
    w.u32(0); w.b += b'TFL3'
    root, ms = w.table([('s', 4, 3), ('r',), ('r',), None, ('r',)])
    w.patch(0, root)
    # opcodes: HARD_SWISH
    ov = w.vector(bytes(4), 1)
    w.patch(ms[1], ov)
    oc, _ = w.table([('s', 1, 117), None, ('s', 4, 1), ('s', 4, 117)])
    w.patch(ov + 4, oc)
    # subgraphs
    n_sub = 2 if mode == 'while' else 1  # 'while': a second subgraph entry, as WHILE bodies
    sv = w.vector(bytes(4 * n_sub), n_sub)
    w.patch(ms[2], sv)
    sub, ss = w.table([('r',), ('r',), ('r',), ('r',)])
    for k in range(n_sub):
        w.patch(sv + 4 + 4 * k, sub)
    ntens = 2 + n_alias
    tv = w.vector(bytes(4 * ntens), ntens)
    w.patch(ss[0], tv)
    # two activation tensors
    for i, nm in enumerate([b'in', b'out']):
        t, ts = w.table([('r',), ('s', 1, 9), ('s', 4, 0), ('r',)])
        w.patch(tv + 4 + 4 * i, t)
        w.patch(ts[0], w.vector(struct.pack('<4i', 1, 8, 8, 4), 4))
        w.patch(ts[3], w.string(nm))
    # the aliased tensor
    if n_alias:
        fields = [('r',), ('s', 1, 9), ('s', 4, 0), ('r',)]
        if n_scales: fields.append(('r',))
        tables = []
        for k in range(n_alias if mode == 'shared' else 1):
            tables.append(w.table(fields))
        for k in range(n_alias):
            w.patch(tv + 4 + 4 * (2 + k), tables[k % len(tables)][0])
        dim = n_scales if n_scales else 16
        name = w.string(b'N' * max(name_len, 1))
        q = None
        if n_scales:
            q, qs = w.table([None, None, ('r',), ('r',), None, None, ('s', 4, 0)])
            w.patch(qs[2], w.vector(struct.pack('<f', 0.5) * n_scales, n_scales))
            w.patch(qs[3], w.vector(struct.pack('<q', 0), 1, 8))
        for t, ts in tables:
            w.patch(ts[0], w.vector(struct.pack('<i', dim), 1))
            w.patch(ts[3], name)
            if n_scales:
                w.patch(ts[4], q)
    w.patch(ss[1], w.vector(struct.pack('<i', 0), 1))
    w.patch(ss[2], w.vector(struct.pack('<i', 1), 1))
    opv = w.vector(bytes(4), 1)
    w.patch(ss[3], opv)
    op, ops = w.table([('s', 4, 0), ('r',), ('r',)])
    w.patch(opv + 4, op)
    w.patch(ops[1], w.vector(struct.pack('<i', 0), 1))
    w.patch(ops[2], w.vector(struct.pack('<i', 1), 1))
    # buffers: one empty sentinel
    bv = w.vector(bytes(4), 1)
    w.patch(ms[4], bv)
    b, _ = w.table([None])
    w.patch(bv + 4, b)
    return bytes(w.b)

if __name__ == '__main__':
    out = sys.argv[1]
    n_alias, name_len, n_scales = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    mode = sys.argv[5] if len(sys.argv) > 5 else 'table'
    open(out, 'wb').write(model(n_alias, name_len, n_scales, mode))
