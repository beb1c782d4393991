// macOS, with the platform faked (no Mac runs here): images are Linux images with the right
// config; a missing Linux builder and a missing system are named with their fix; doctor and the
// build flags leave macOS's sandbox default alone.
import { describe, expect, test } from "vitest";
import { sandboxCheck } from "../../src/doctor/checks.js";
import { checkImageSystem, missingBuilder, ociPlatform } from "../../src/image/platform.js";
import { canSetSandbox } from "../../src/nix/binary.js";
import { EnvError, UserError } from "../../src/util/errors.js";
import { imageSystem } from "../../src/util/system.js";

describe("images on macOS", () => {
  test("are built for the Linux system of the machine's architecture, and say so in their config", () => {
    expect(imageSystem("aarch64-darwin")).toBe("aarch64-linux");
    expect(imageSystem("x86_64-darwin")).toBe("x86_64-linux");
    expect(imageSystem("x86_64-linux")).toBe("x86_64-linux");
    expect(ociPlatform("aarch64-linux")).toEqual({ architecture: "arm64", os: "linux" });
    expect(ociPlatform("x86_64-linux")).toEqual({ architecture: "amd64", os: "linux" });
  });

  test("a manifest without the Linux system is a manifest error naming systems", () => {
    expect(() => checkImageSystem("aarch64-linux", "aarch64-darwin", ["aarch64-darwin"])).toThrow(UserError);
    expect(() => checkImageSystem("aarch64-linux", "aarch64-darwin", ["aarch64-darwin"])).toThrow(
      'nixkit.yaml systems: images are Linux images, built for aarch64-linux on this aarch64-darwin machine; add "aarch64-linux" to systems',
    );
    expect(() => checkImageSystem("aarch64-linux", "aarch64-darwin", ["aarch64-linux", "aarch64-darwin"])).not.toThrow();
  });

  test("Nix without a Linux builder is an environment problem (exit 3) with the fix", () => {
    // Nix's words since 2.4 (src/libstore/build/local-derivation-goal.cc).
    const message =
      "error: a 'aarch64-linux' with features {} is required to build '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixkit-image-web.drv', but I am a 'aarch64-darwin' with features {benchmark, big-parallel, nixos-test}";
    const error = missingBuilder(message, "aarch64-linux");
    expect(error).toBeInstanceOf(EnvError);
    expect(error!.exitCode).toBe(3);
    expect(error!.message).toContain("nix.conf `builders`");
    expect(missingBuilder("error: builder for '/nix/store/x.drv' failed with exit code 1", "aarch64-linux")).toBeUndefined();
  });
});

describe("the sandbox on macOS", () => {
  test("doctor warns (not fails) about macOS's default, and nixkit does not force the sandbox there", () => {
    const check = sandboxCheck("false", false, "darwin");
    expect(check.status).toBe("WARN");
    expect(check.detail).toContain("macOS's default");
    expect(sandboxCheck("false", false, "linux").status).toBe("FAIL");
    expect(canSetSandbox("darwin")).toBe(false);
  });
});
