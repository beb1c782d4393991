// The image's user, and the /etc/passwd and /etc/group generated for it.
export interface ImageUser {
  uid: number;
  gid: number;
  /** The config's User field. */
  config: string;
}

const builtin: Record<string, [number, number]> = { root: [0, 0], nobody: [65534, 65534] };

/** "uid", "uid:gid", or a user the image declares (root, nobody); undefined for anything else. */
export function parseUser(text: string | undefined): ImageUser | undefined {
  if (text === undefined) return { uid: 0, gid: 0, config: "" };
  const numeric = text.match(/^(\d{1,9})(?::(\d{1,9}))?$/);
  if (numeric) {
    const uid = Number(numeric[1]);
    const gid = numeric[2] === undefined ? uid : Number(numeric[2]);
    return { uid, gid, config: `${uid}:${gid}` };
  }
  const known = builtin[text];
  return known ? { uid: known[0], gid: known[1], config: text } : undefined;
}

export function passwdFiles(user: ImageUser): { passwd: string; group: string } {
  const users = [
    ["root", 0, 0, "/root"],
    ["nobody", 65534, 65534, "/var/empty"],
  ] as [string, number, number, string][];
  const groups = [
    ["root", 0],
    ["nobody", 65534],
  ] as [string, number][];
  if (!users.some(([, uid]) => uid === user.uid)) users.push(["app", user.uid, user.gid, "/"]);
  if (!groups.some(([, gid]) => gid === user.gid)) groups.push(["app", user.gid]);
  return {
    passwd: users.map(([name, uid, gid, home]) => `${name}:x:${uid}:${gid}:${name}:${home}:/sbin/nologin\n`).join(""),
    group: groups.map(([name, gid]) => `${name}:x:${gid}:\n`).join(""),
  };
}
