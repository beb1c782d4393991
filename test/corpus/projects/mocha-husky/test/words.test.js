const assert = require("node:assert");
const words = require("./fixtures/words.json");

describe("words", () => {
  it("has three", () => assert.strictEqual(words.length, 3));
  it("is sorted", () => assert.deepStrictEqual([...words].sort(), words));
  describe("each", () => {
    for (const word of words) it(`${word} is lower case`, () => assert.strictEqual(word, word.toLowerCase()));
  });
});
