// Real servers for e2e tests, on 127.0.0.1 (or an address of a test network the test made),
// started and stopped by the test that uses them.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { createServer, connect } from "node:net";
import path from "node:path";

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, address = "127.0.0.1"): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, address);
      socket.on("connect", () => (socket.destroy(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${address}:${port}`);
}

export interface Server {
  url: string;
  root: string;
  stop(): Promise<void>;
}

/**
 * nginx serving a temp directory, with WebDAV PUT so `nix copy --to http://…` can upload;
 * with `auth`, every request needs HTTP basic authentication.
 */
export async function startNginx(address = "127.0.0.1", auth?: { user: string; password: string }): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nixkit-nginx-"));
  const root = path.join(dir, "cache");
  mkdirSync(root);
  mkdirSync(path.join(dir, "tmp"));
  // freePort's port can be taken by another test's server before nginx binds it: then nginx
  // exits, and what answers on the port is not this cache. Try again on another port.
  for (let attempt = 1; ; attempt++) {
    const started = await tryNginx(dir, root, address, auth);
    if (started || attempt === 5) return started ?? Promise.reject(new Error(`nginx did not start (see ${dir}/error.log)`));
  }
}

async function tryNginx(
  dir: string,
  root: string,
  address: string,
  auth?: { user: string; password: string },
): Promise<Server | undefined> {
  const port = await freePort();
  const config = path.join(dir, "nginx.conf");
  if (auth) writeFileSync(path.join(dir, "htpasswd"), `${auth.user}:{PLAIN}${auth.password}\n`);
  const authLines = auth ? `auth_basic "cache"; auth_basic_user_file ${dir}/htpasswd; ` : "";
  writeFileSync(
    config,
    `${process.getuid?.() === 0 ? "user root;\n" : ""}daemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/tmp;\n  server {\n    listen ${address}:${port};\n    root ${root};\n    client_max_body_size 0;\n    location / { ${authLines}dav_methods PUT; create_full_put_path on; dav_access user:rw group:r all:r; }\n  }\n}\n`,
  );
  const nginx: ResultPromise = execa("nginx", ["-c", config, "-p", dir], { reject: false });
  let exited = false;
  void nginx.then(() => (exited = true));
  // nginx writes its pid file once its sockets are bound; it exits when the port is taken.
  for (let i = 0; i < 100 && !exited && !existsSync(path.join(dir, "nginx.pid")); i++) await new Promise((r) => setTimeout(r, 50));
  if (exited || !existsSync(path.join(dir, "nginx.pid"))) {
    nginx.kill("SIGKILL");
    await nginx;
    return undefined;
  }
  await waitForPort(port, address);
  return {
    url: `http://${address}:${port}`,
    root,
    stop: async () => {
      nginx.kill("SIGTERM");
      await nginx;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
