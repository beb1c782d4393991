import pytest

from inventory import Stock


@pytest.fixture
def stock():
    s = Stock()
    s.add("apple", 3)
    return s
