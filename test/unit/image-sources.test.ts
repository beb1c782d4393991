// Images must not depend on the host: the source annotation is one public URL for every clone.
import { expect, test } from "vitest";
import { publicRepositoryUrl } from "../../src/util/git.js";

test.each([
  ["git@github.com:org/repo.git", "https://github.com/org/repo.git"],
  ["https://github.com/org/repo.git", "https://github.com/org/repo.git"],
  ["https://github.com/org/repo", "https://github.com/org/repo.git"],
  ["https://user:token@GitHub.com:443/org/repo/", "https://github.com/org/repo.git"],
  ["ssh://git@github.com:2222/org/repo.git", "https://github.com/org/repo.git"],
  ["git://github.com/org/repo", "https://github.com/org/repo.git"],
  ["/home/me/repo", ""],
  ["../repo", ""],
  ["file:///home/me/repo", ""],
  ["", ""],
])("%s -> %s", (remote, url) => {
  expect(publicRepositoryUrl(remote)).toBe(url);
});
