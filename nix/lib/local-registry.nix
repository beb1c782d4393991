# A read-only npm registry on the build's own loopback, for a package manager that installs a
# lockfile by fetching each tarball from its registry (pnpm): it serves the files below ROOT by
# their URL path (NAME/-/BASE-VERSION.tgz, as the lockfile's packages were fetched by Nix) and
# writes the port it listens on to PORTFILE. A request for anything else is a 404, and said.
# (JavaScript, as a Nix string: pnpm.nix writes it to a file and runs it with node.)
''
  const http = require("node:http");
  const fs = require("node:fs");
  const path = require("node:path");
  const [root, portFile] = process.argv.slice(2);
  const server = http.createServer((request, response) => {
    let rel;
    try {
      rel = path.posix.normalize(decodeURIComponent(new URL(request.url, "http://registry").pathname)).replace(/^\/+/, "");
    } catch {
      rel = "";
    }
    const file = path.join(root, rel);
    if (rel === "" || rel.startsWith("..") || !file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      process.stderr.write(`nixkit registry: no ''${rel || request.url} in the lockfile's downloads\n`);
      response.writeHead(404, { "content-type": "application/json" });
      return response.end("{}");
    }
    const size = fs.statSync(file).size;
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": size });
    if (request.method === "HEAD") return response.end();
    // One write: streaming a small tarball in 64 KiB pieces made pnpm's install take twice as long.
    if (size < 64 * 1024 * 1024) return response.end(fs.readFileSync(file));
    fs.createReadStream(file).pipe(response);
  });
  server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
''
