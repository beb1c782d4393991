"""Evaluates the model on the held-out points: fails below the accuracy threshold, and writes a
JUnit report with the accuracy as a property. Usage: evaluate.py MODEL_DIR DATA_DIR REPORTS_DIR"""
import json
import sys
from xml.sax.saxutils import quoteattr

import numpy as np

THRESHOLD = 0.9
weights = np.array(json.load(open(f"{sys.argv[1]}/model.json"))["weights"])
data = np.loadtxt(f"{sys.argv[2]}/test.csv", delimiter=",")
x, y = np.column_stack([data[:, :2], np.ones(len(data))]), data[:, 2]
accuracy = float(np.mean((1 / (1 + np.exp(-x @ weights)) > 0.5) == y))
passed = accuracy >= THRESHOLD
print(f"accuracy {accuracy:.4f} on {len(y)} points (threshold {THRESHOLD})")
failure = "" if passed else f'<failure message={quoteattr(f"accuracy {accuracy:.4f} is below {THRESHOLD}")}/>'
with open(f"{sys.argv[3]}/junit.xml", "w") as f:
    f.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites><testsuite name="model" tests="1" failures="{0 if passed else 1}">'
        f'<properties><property name="accuracy" value="{accuracy:.4f}"/></properties>'
        f'<testcase classname="model" name="accuracy is at least {THRESHOLD}">{failure}</testcase>'
        "</testsuite></testsuites>\n"
    )
sys.exit(0 if passed else 1)
