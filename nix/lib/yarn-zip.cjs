// An npm tarball as yarn berry's cache holds it: the zip yarn 4 writes when it converts a
// tarball (compressionLevel 0, cacheKey "10c0"), byte for byte, so that the sha512 yarn.lock's
// `checksum` records is this file's. The layout follows yarn's tgzUtils.extractArchiveTo and its
// libzip-backed ZipFS: entries in the tarball's order below node_modules/NAME/ (the tarball's
// first path component stripped), each missing parent directory added before its first child,
// every time 1984-06-22 21:50:00 (yarn's SAFE_TIME, in DOS form), mode 644 or 755, stored.
//
// As a program: node yarn-zip.cjs URL NAME writes $out, the zip of the tarball at URL (a
// fixed-output builder: Nix then checks it against the lockfile's checksum), and
// node yarn-zip.cjs --file TARBALL NAME that of a tarball already fetched.
"use strict";
const zlib = require("node:zlib");

const DOS_TIME = (21 << 11) | (50 << 5);
const DOS_DATE = ((1984 - 1980) << 9) | (6 << 5) | 22;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

// The entries of a tar archive as node-tar (yarn's parser) reports them: path (with pax and GNU
// long names applied), type, mode and content.
function* tarEntries(tar) {
  let globalPax = {};
  let nextPax = {};
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header.subarray(124, 136));
    const flag = String.fromCharCode(header[156] || 0x30);
    const data = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (flag === "x" || flag === "g") {
      const records = paxRecords(data);
      if (flag === "g") globalPax = { ...globalPax, ...records };
      else nextPax = { ...nextPax, ...records };
      continue;
    }
    if (flag === "L" || flag === "K") {
      nextPax[flag === "L" ? "path" : "linkpath"] = cString(data);
      continue;
    }
    const ustar = header.subarray(257, 263).toString("latin1") === "ustar\0";
    const prefix = ustar ? cString(header.subarray(345, 500)) : "";
    const name = cString(header.subarray(0, 100));
    const pax = { ...globalPax, ...nextPax };
    nextPax = {};
    const path = pax.path ?? (prefix ? `${prefix}/${name}` : name);
    let type = { 0: "File", "\0": "OldFile", 2: "SymbolicLink", 5: "Directory" }[flag] ?? "Other";
    // Old tars mark a directory as a file whose name ends with a slash.
    if ((type === "File" || type === "OldFile") && path.endsWith("/")) type = "Directory";
    const linkpath = pax.linkpath ?? cString(header.subarray(157, 257));
    yield { path, type, mode: octal(header.subarray(100, 108)), data, linkpath };
  }
}

function octal(field) {
  // A size above 8 GiB is base-256 (GNU); no npm tarball has one.
  if (field[0] & 0x80) throw new Error("a tar entry too large for yarn's cache");
  return parseInt(cString(field).trim() || "0", 8);
}

function cString(buffer) {
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end === -1 ? buffer.length : end).toString("utf8");
}

function paxRecords(data) {
  const records = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(data.subarray(at, space).toString("latin1"), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, at + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

// path.posix.normalize as yarn's ppath.normalize applies it, without a trailing slash.
function normalize(path) {
  return require("node:path").posix.normalize(path).replace(/\/$/, "");
}

/** The zip yarn's cache holds for the npm package NAME (scope included) whose tarball is TGZ. */
function tarballToZip(tgz, name) {
  const tar = tgz[0] === 0x1f && tgz[1] === 0x8b ? zlib.gunzipSync(tgz) : tgz;
  const entries = [];
  const index = new Map();
  const add = (path, attributes, data) => {
    // A path the tarball has twice keeps its first place, as libzip replaces an entry in place.
    if (index.has(path)) return void (entries[index.get(path)] = { path, attributes, data });
    index.set(path, entries.length);
    entries.push({ path, attributes, data });
  };
  const mkdirp = (dir) => {
    const parts = dir.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!index.has(`${parent}/`)) add(`${parent}/`, ((S_IFDIR | 0o755) << 16) >>> 0, Buffer.alloc(0));
    }
  };
  const prefix = `node_modules/${name}`;
  for (const entry of tarEntries(tar)) {
    // yarn's filter: no absolute path, no "..", nothing at or above the stripped component.
    if (entry.path.startsWith("/")) continue;
    if (entry.path.split("/").some((part) => part === "..") || entry.path.split("/").length <= 1) continue;
    const parts = normalize(entry.path).split("/");
    if (parts.length <= 1) continue;
    const target = normalize(`${prefix}/${parts.slice(1).join("/")}`);
    const mode = entry.type === "Directory" || entry.mode & 0o111 ? 0o755 : 0o644;
    const parent = target.slice(0, target.lastIndexOf("/"));
    if (entry.type === "Directory") {
      mkdirp(parent);
      if (index.has(`${target}/`)) throw new Error(`${entry.path}: a directory yarn cannot add twice`);
      add(`${target}/`, ((S_IFDIR | mode) << 16) >>> 0, Buffer.alloc(0));
    } else if (entry.type === "File" || entry.type === "OldFile") {
      mkdirp(parent);
      add(target, ((S_IFREG | mode) << 16) >>> 0, Buffer.from(entry.data));
    } else if (entry.type === "SymbolicLink") {
      mkdirp(parent);
      add(target, ((S_IFLNK | 0o777) << 16) >>> 0, Buffer.from(entry.linkpath, "utf8"));
    }
  }
  return zipOf(entries);
}

function zipOf(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { path, attributes, data } of entries) {
    const name = Buffer.from(path, "utf8");
    const isDirectory = path.endsWith("/");
    const needed = isDirectory ? 20 : 10;
    // libzip marks a name that is not plain ASCII as UTF-8 (general purpose bit 11).
    const flags = /^[\x20-\x7e]*$/.test(path) ? 0 : 0x800;
    // The fields the local header (at 4) and the central directory entry (at 6) share: version
    // needed, flags, method (0, stored), time, date, crc, both sizes, the name's length.
    const shared = Buffer.alloc(24);
    shared.writeUInt16LE(needed, 0);
    shared.writeUInt16LE(flags, 2);
    shared.writeUInt16LE(DOS_TIME, 6);
    shared.writeUInt16LE(DOS_DATE, 8);
    shared.writeUInt32LE(zlib.crc32(data), 10);
    shared.writeUInt32LE(data.length, 14);
    shared.writeUInt32LE(data.length, 18);
    shared.writeUInt16LE(name.length, 22);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    shared.copy(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x033f, 4);
    shared.copy(central, 6);
    central.writeUInt32LE(attributes, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

async function download(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (attempt === 3)
        throw new Error(
          `${url.replace(/\/\/[^/@]*@/, "//")}: ${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ""}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

module.exports = { tarballToZip };

if (require.main === module) {
  const args = process.argv.slice(2);
  const fs = require("node:fs");
  const caFile = process.env.NIX_SSL_CERT_FILE;
  // Node reads extra certificates only at start: the CA bundle Nix was given (a TLS-intercepting
  // proxy's), when the sandbox can read it, means starting again with it.
  if (caFile && !process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(caFile)) {
    const again = require("node:child_process").spawnSync(process.execPath, process.argv.slice(1), {
      stdio: "inherit",
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    });
    process.exit(again.status ?? 1);
  }
  const [source, name] = args[0] === "--file" ? args.slice(1) : args;
  (args[0] === "--file" ? Promise.resolve(fs.readFileSync(source)) : download(source))
    .then((tgz) => fs.writeFileSync(process.env.out, tarballToZip(tgz, name)))
    .catch((error) => {
      const untrusted = /certificate/.test(error.message)
        ? "; the sandbox does not trust the registry's certificate (a TLS-intercepting proxy?): nixkit fetches these archives before the build when it can, or give Nix's builds your CA bundle (NIX_SSL_CERT_FILE, readable in the sandbox)"
        : "";
      process.stderr.write(`nixkit: ${error.message}${untrusted}\n`);
      process.exit(1);
    });
}
