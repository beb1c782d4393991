"""Trains a logistic regression by full-batch gradient descent (fixed steps, fixed start): the
model's bytes depend only on the data. Usage: train.py DATA_DIR OUT_DIR"""
import json
import sys

import numpy as np

data = np.loadtxt(f"{sys.argv[1]}/train.csv", delimiter=",")
x, y = np.column_stack([data[:, :2], np.ones(len(data))]), data[:, 2]
weights = np.zeros(3)
for _ in range(500):
    predictions = 1 / (1 + np.exp(-x @ weights))
    weights -= 0.5 * x.T @ (predictions - y) / len(y)
model = {"weights": [round(float(w), 6) for w in weights], "steps": 500, "rate": 0.5}
with open(f"{sys.argv[2]}/model.json", "w") as f:
    json.dump(model, f, indent=2, sort_keys=True)
    f.write("\n")
print("weights", model["weights"])
