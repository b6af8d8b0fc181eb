"""A user's own training run, for the README recipe "theory curve next to my training curve".

Minibatch SGD on linear regression with covariance eigenvalues 1/i (d = 200), Gaussian data, batch 8, lr 0.5,
w0 - w* ~ N(0, I), averaged over 20 independent runs; writes sgd_training.csv with columns t,risk where
risk = 0.5 * sum_i lambda_i (w_t - w*)_i^2 is the excess risk of the current iterate.
    python3 train_sgd.py && exactdyn risk --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8 \
        --steps 1000 --every 100 --plot theory-vs-training.png --overlay sgd_training.csv
"""
import numpy as np

d, batch, lr, steps, runs = 200, 8, 0.5, 1000, 20
lam = 1.0 / np.arange(1, d + 1)
rng = np.random.default_rng(0)
record = list(range(0, steps + 1, 10))
risk = np.zeros(len(record))
for _ in range(runs):
    e = rng.standard_normal(d)  # w - w*, in the eigenbasis
    k = 0
    for t in range(steps + 1):
        if t == record[k]:
            risk[k] += 0.5 * np.sum(lam * e * e) / runs
            k += 1
            if k == len(record):
                break
        x = rng.standard_normal((batch, d)) * np.sqrt(lam)  # x = H^{1/2} z
        e -= lr * x.T @ (x @ e) / batch                      # the minibatch gradient at w (no label noise)
np.savetxt("sgd_training.csv", np.column_stack([record, risk]), delimiter=",", header="t,risk", comments="", fmt=["%d", "%.10g"])
