const t = require("tap");

class Queue {
  constructor() {
    this.items = [];
  }
  push(x) {
    this.items.push(x);
    return this;
  }
  shift() {
    if (this.items.length === 0) throw new Error("empty queue");
    return this.items.shift();
  }
}

t.test("push and shift", async (t) => {
  const q = new Queue().push(1).push(2);
  t.equal(q.shift(), 1, "first in, first out");
  t.equal(q.shift(), 2);
});

t.test("an empty queue", async (t) => {
  t.throws(() => new Queue().shift(), /empty queue/);
  t.test("after a push", async (t) => {
    t.equal(new Queue().push("x").shift(), "x");
    t.test("todo: a bounded queue", { todo: "not designed yet" });
  });
});
