"""Minimal reader of Unix `ar` archives for MicroPython's tools/mpy_ld.py.

mpy_ld.py (through tools/ar_util.py) links natmods against libgcc.a / libm.a
when LINK_RUNTIME=1 and imports `from ar import Archive`, the PyPI package
"ar", which Debian does not package. This file provides the part of that API
ar_util.py uses, and nothing else:

    archive = Archive(open("libm.a", "rb"))
    for entry in archive:          # regular members, in archive order
        entry.name                 # member name (GNU long names resolved)
    with archive.open(name, "rb") as f:   # seekable file object (BytesIO)
        ...

Formats: GNU/SysV (`name/`, `/` symbol table, `//` long-name table, `/123`
references) and BSD (`#1/len` names). Symbol tables are skipped (ar_util.py
builds its own index from each member's ELF symbol table). The bindings build
puts this directory on PYTHONPATH; it is not a general-purpose library.
"""
import io

_MAGIC = b"!<arch>\n"
_HEADER_LEN = 60


class ArchiveEntry:
    """One member: its name, offset of the data in the archive, and size."""

    def __init__(self, name, offset, size):
        self.name = name
        self.offset = offset
        self.size = size

    def __repr__(self):
        return "ArchiveEntry(%r, offset=%d, size=%d)" % (self.name, self.offset, self.size)


class Archive:
    """Index of an ar archive read from a binary file object."""

    def __init__(self, f):
        self._f = f
        self.entries = []
        self._parse()

    def _parse(self):
        f = self._f
        f.seek(0)
        if f.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not an ar archive (thin archives are not supported)")
        long_names = b""
        while True:
            header = f.read(_HEADER_LEN)
            if not header:
                break
            if len(header) != _HEADER_LEN or header[58:60] != b"`\n":
                raise ValueError("corrupt ar member header at offset %d" % (f.tell() - len(header)))
            raw_name = header[0:16].rstrip(b" ")
            size = int(header[48:58].strip() or b"0")
            offset = f.tell()
            name = None
            if raw_name == b"/" or raw_name == b"/SYM64/" or raw_name.startswith(b"__.SYMDEF"):
                pass  # symbol table
            elif raw_name == b"//":
                long_names = f.read(size)
            elif raw_name.startswith(b"#1/"):
                name_len = int(raw_name[3:])
                name = f.read(name_len).rstrip(b"\0").decode()
                offset += name_len
                size -= name_len
            elif raw_name.startswith(b"/") and raw_name[1:].isdigit():
                start = int(raw_name[1:])
                end = long_names.find(b"\n", start)
                name = long_names[start:end if end >= 0 else len(long_names)].rstrip(b"/").decode()
            else:
                name = raw_name.rstrip(b"/").decode()
            if name is not None:
                self.entries.append(ArchiveEntry(name, offset, size))
            f.seek(offset + size + ((offset + size) & 1))  # members are 2-byte aligned

    def __iter__(self):
        return iter(self.entries)

    def open(self, name, mode="rb"):
        """First member called `name`, as an in-memory binary file."""
        if mode != "rb":
            raise ValueError("only mode 'rb' is supported")
        for entry in self.entries:
            if entry.name == name:
                self._f.seek(entry.offset)
                return io.BytesIO(self._f.read(entry.size))
        raise KeyError(name)
