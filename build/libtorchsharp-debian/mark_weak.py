#!/usr/bin/env python3
"""Marks one symbol-version requirement of an ELF64 little-endian shared library as weak.

Sets VER_FLG_WEAK (0x2) in the vna_flags of the named entry of .gnu.version_r, so the dynamic loader
accepts a libstdc++ that lacks that version. Idempotent; prints what it did.
Usage: mark_weak.py LIBRARY VERSION
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def main(path: str, version: str) -> int:
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            print(f"{path}: not an ELF64 little-endian file", file=sys.stderr)
            return 2
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)

        def section(i):
            # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, ...
            return struct.unpack_from("<IIQQQQII", data, shoff + i * shentsize)

        for i in range(shnum):
            _, sh_type, _, _, offset, _, link, count = section(i)
            if sh_type != SHT_GNU_VERNEED:
                continue
            strtab = section(link)[4]
            need = offset
            for _ in range(count):
                _, cnt, _, aux, nxt = struct.unpack_from("<HHIII", data, need)
                entry = need + aux
                for _ in range(cnt):
                    _, flags, _, name, aux_next = struct.unpack_from("<IHHII", data, entry)
                    end = data.index(0, strtab + name)
                    if data[strtab + name:end].decode() == version:
                        if flags & VER_FLG_WEAK:
                            print(f"{path}: {version} already weak")
                        else:
                            struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                            f.seek(0)
                            f.write(data)
                            print(f"{path}: {version} marked weak")
                        return 0
                    entry += aux_next
                need += nxt
        print(f"{path}: no requirement on {version}; nothing to do")
        return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
