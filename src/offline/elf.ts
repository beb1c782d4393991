// Reads what an ELF file needs to run from the Nix store: whether it names a program
// interpreter (PT_INTERP: a dynamically linked executable) and whether it is dynamically linked
// at all (PT_DYNAMIC: executables and shared libraries). Only static binaries run as they are
// inside the Nix sandbox, which has no /lib; the others get their interpreter and search path
// rewritten (src/offline/host-trees.ts, nix/offline-pkgs/host-imports.nix).
import { closeSync, openSync, readSync } from "node:fs";

const PT_INTERP = 3;
const PT_DYNAMIC = 2;

export interface ElfInfo {
  interpreter: boolean;
  dynamic: boolean;
}

/** The file's ELF facts, or undefined when it is not an ELF file. */
export function elfInfo(file: string): ElfInfo | undefined {
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(64);
    if (readSync(fd, header, 0, 64, 0) < 64 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const is64 = header[4] === 2;
    const little = header[5] === 1;
    const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(little ? header.readBigUInt64LE(32) : header.readBigUInt64BE(32)) : u32(header, 28);
    const phentsize = u16(header, is64 ? 54 : 42);
    const phnum = u16(header, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    const types = Array.from({ length: phnum }, (_, i) => u32(table, i * phentsize));
    return { interpreter: types.includes(PT_INTERP), dynamic: types.includes(PT_DYNAMIC) };
  } finally {
    closeSync(fd);
  }
}

/** An ELF executable that needs no program interpreter (static, or static-pie). */
export function isStaticElf(file: string): boolean {
  const info = elfInfo(file);
  return info !== undefined && !info.interpreter;
}
