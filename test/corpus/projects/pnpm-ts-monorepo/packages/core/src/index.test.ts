import { describe, expect, it } from "vitest";
import { slug, title } from "./index.js";

describe("slug", () => {
  it("lowercases and joins words", () => expect(slug("Hello World")).toBe("hello-world"));
  it("drops accents", () => expect(slug("Crème brûlée")).toBe("creme-brulee"));
  it.todo("keeps CJK");
});

describe("title", () => {
  it("capitalises each word", () => expect(title("nix for teams")).toBe("Nix For Teams"));
});
