import pytest


@pytest.mark.parametrize("count, left", [(1, 2), (2, 1), (3, 0)])
def test_take(stock, count, left):
    stock.take("apple", count)
    assert stock.count("apple") == left


def test_take_too_many(stock):
    with pytest.raises(KeyError):
        stock.take("apple", 4)


def test_add_refuses_zero(stock):
    with pytest.raises(ValueError):
        stock.add("pear", 0)


class TestEmpty:
    def test_unknown_is_zero(self, stock):
        assert stock.count("kiwi") == 0

    @pytest.mark.skip(reason="negative stock is not designed yet")
    def test_negative(self, stock):
        pass
