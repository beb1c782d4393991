function total(items) {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

function discount(amount, percent) {
  if (percent < 0 || percent > 100) throw new RangeError(`bad percent ${percent}`);
  return Math.round(amount * (100 - percent)) / 100;
}

module.exports = { total, discount };
