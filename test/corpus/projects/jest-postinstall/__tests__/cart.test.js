const { total, discount } = require("../src/cart");

describe("total", () => {
  test("sums price times quantity", () => {
    expect(total([{ price: 2, quantity: 3 }, { price: 1, quantity: 1 }])).toBe(7);
  });
  test("is zero for an empty cart", () => expect(total([])).toBe(0));
});

describe("discount", () => {
  test.each([
    [100, 10, 90],
    [50, 0, 50],
  ])("%i less %i%% is %i", (amount, percent, expected) => expect(discount(amount, percent)).toBe(expected));
  test("refuses a percent over 100", () => expect(() => discount(1, 120)).toThrow(RangeError));
  test.skip("rounds half up (later)", () => {});
});
