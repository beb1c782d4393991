"""Writes the data set: two classes of 2-D points around different centres, seeded, so the
same bytes come out on every machine. Usage: prepare.py OUT_DIR"""
import sys

import numpy as np

rng = np.random.default_rng(20261126)
n = 400
centres = np.array([[-1.5, -1.0], [1.5, 1.0]])
labels = rng.integers(0, 2, size=n)
points = centres[labels] + rng.normal(scale=0.9, size=(n, 2))
split = int(n * 0.75)
out = sys.argv[1]
np.savetxt(f"{out}/train.csv", np.column_stack([points[:split], labels[:split]]), fmt="%.6f", delimiter=",")
np.savetxt(f"{out}/test.csv", np.column_stack([points[split:], labels[split:]]), fmt="%.6f", delimiter=",")
print(f"{split} training and {n - split} test points")
