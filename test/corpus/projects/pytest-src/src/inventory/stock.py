class Stock:
    def __init__(self):
        self._items = {}

    def add(self, name, count=1):
        if count <= 0:
            raise ValueError("count must be positive")
        self._items[name] = self._items.get(name, 0) + count

    def take(self, name, count=1):
        have = self._items.get(name, 0)
        if count > have:
            raise KeyError(name)
        self._items[name] = have - count

    def count(self, name):
        return self._items.get(name, 0)
