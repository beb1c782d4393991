"""Classifies the points given as arguments (x1 y1 x2 y2 ...) with the trained model."""
import json
import os
import sys

import numpy as np

with open(os.environ.get("MODEL", os.path.join(os.path.dirname(__file__), "..", "share", "model.json"))) as f:
    weights = np.array(json.load(f)["weights"])
values = [float(v) for v in sys.argv[1:]]
if not values or len(values) % 2:
    sys.exit("usage: predict X Y [X Y ...]")
points = np.array(values).reshape(-1, 2)
scores = 1 / (1 + np.exp(-np.column_stack([points, np.ones(len(points))]) @ weights))
for point, score in zip(points, scores):
    print(f"{point[0]:g},{point[1]:g} -> class {int(score > 0.5)} (p={score:.3f})")
