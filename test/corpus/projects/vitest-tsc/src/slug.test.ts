import { describe, expect, it } from "vitest";
import { slug } from "./slug.js";

describe("slug", () => {
  it("lowercases and joins words", () => expect(slug("Hello World")).toBe("hello-world"));
  it("drops accents", () => expect(slug("Crème brûlée")).toBe("creme-brulee"));
  describe("edges", () => {
    it("trims separators", () => expect(slug("  --Nix!  ")).toBe("nix"));
    it.todo("keeps CJK");
  });
});
