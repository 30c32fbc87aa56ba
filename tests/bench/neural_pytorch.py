#!/usr/bin/python3
"""The same DMF and hybrid CNN architectures in PyTorch, for the training-throughput comparison
with RecLab's LibTorch engine (tests/bench/neural_bench.cpp writes the shapes this reads).

    build/tests/bench/bench_neural --threads 2
    /usr/bin/python3 tests/bench/neural_pytorch.py /tmp/reclab_neural_arch.json

Same layers, initialisation family, optimiser (Adam, eps 1e-7), per-tensor gradient clipping
(Keras clipnorm) for DMF, gradients released with set_to_none, focal loss with class weights for the hybrid, same batch sizes and
thread count. Mini-batches are index slices of a shuffled permutation (no DataLoader), the
fastest idiomatic PyTorch loop. Inputs are random with the real shapes: throughput does not
depend on the values.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def keras_bn(n):
    return nn.BatchNorm1d(n, momentum=0.01, eps=1e-3)


def dense(i, o):
    layer = nn.Linear(i, o)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Dmf(nn.Module):
    def __init__(self, users, items, dim=32, layers=(256, 128, 64), alpha=1e-4, dropout=0.2):
        super().__init__()
        self.user = nn.Embedding(users, dim)
        self.item = nn.Embedding(items, dim)
        nn.init.uniform_(self.user.weight, -0.05, 0.05)
        nn.init.uniform_(self.item.weight, -0.05, 0.05)
        self.dense = nn.ModuleList()
        self.bn = nn.ModuleList()
        width = 2 * dim
        for size in layers:
            self.dense.append(dense(width, size))
            self.bn.append(keras_bn(size))
            width = size
        self.out = dense(width, 1)
        self.alpha, self.dropout = alpha, dropout

    def forward(self, u, i):
        x = torch.cat([self.user(u), self.item(i)], 1)
        for k, (d, b) in enumerate(zip(self.dense, self.bn)):
            x = F.leaky_relu(b(d(x)), self.alpha)
            if k < 2:
                x = F.dropout(x, self.dropout, self.training)
        return self.out(x).view(-1)

    def penalty(self):
        return 0.01 * (self.user.weight.pow(2).sum() + self.item.weight.pow(2).sum())


class Hybrid(nn.Module):
    def __init__(self, a, filters=64, kernel=3, cat_dim=8, cont_units=64,
                 layers=(512, 256, 128, 64), dropout=0.3):
        super().__init__()
        dim = a["dim"]
        self.user = nn.Embedding(a["users"], dim)
        self.item = nn.Embedding(a["items"], dim)
        self.user.weight.requires_grad_(False)  # frozen pretrained tables (seed A)
        self.item.weight.requires_grad_(False)
        self.conv_user = nn.Conv1d(1, filters, kernel)
        self.conv_item = nn.Conv1d(1, filters, kernel)
        self.cats = nn.ModuleList(nn.Embedding(c, cat_dim) for c in a["cardinalities"])
        width = 2 * filters + dim + cat_dim * len(a["cardinalities"])
        self.cont = dense(a["continuous"], cont_units) if a["continuous"] else None
        self.cont_bn = keras_bn(cont_units) if a["continuous"] else None
        width += cont_units if a["continuous"] else 0
        self.dense = nn.ModuleList()
        self.bn = nn.ModuleList()
        for size in layers:
            self.dense.append(dense(width, size))
            self.bn.append(keras_bn(size))
            width = size
        self.out = dense(width, a["classes"])
        self.dropout = dropout

    def forward(self, u, i, cat, cont):
        eu, ei = self.user(u), self.item(i)
        cu = F.relu(self.conv_user(eu.unsqueeze(1))).max(2).values
        ci = F.relu(self.conv_item(ei.unsqueeze(1))).max(2).values
        parts = [cu, ci, eu * ei]
        parts += [emb(cat[:, k]) for k, emb in enumerate(self.cats)]
        if self.cont is not None:
            parts.append(F.dropout(F.relu(self.cont_bn(self.cont(cont))), self.dropout, self.training))
        x = torch.cat(parts, 1)
        for d, b in zip(self.dense, self.bn):
            x = F.dropout(F.relu(b(d(x))), self.dropout, self.training)
        return self.out(x)

    def penalty(self):
        return 1e-4 * sum(d.weight.pow(2).sum() for d in self.dense)


def focal_loss(logits, target, weights, gamma=2.0, alpha=0.25):
    logp = F.log_softmax(logits, 1).gather(1, target.view(-1, 1)).view(-1)
    loss = -alpha * (1 - logp.exp()).pow(gamma) * logp
    return (loss * weights[target]).mean()


def clip_per_tensor(params, clipnorm):
    # Keras clipnorm, with tensor ops only (no read-back), as RecLab does.
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.grad.mul_(clipnorm / p.grad.norm().clamp_min(clipnorm))


def train(model, inputs, loss_fn, batch, epochs, lr, clipnorm=0.0):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr, eps=1e-7)
    n = inputs[0].shape[0]
    rates = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n)
        start = time.perf_counter()
        for lo in range(0, n, batch):
            idx = order[lo:lo + batch]
            b = [t.index_select(0, idx) for t in inputs]
            out = model(*b[:-1])
            loss = loss_fn(out, b[-1]) + model.penalty()
            value = loss.item()  # as RecLab: the loss is read every batch (reports, NaN guard)
            if value != value:
                raise RuntimeError("nan")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clipnorm > 0:
                clip_per_tensor(params, clipnorm)
            opt.step()
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates[1:] if len(rates) > 1 else rates)


def main():
    a = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "/tmp/reclab_neural_arch.json"))
    torch.set_num_threads(a["threads"])
    torch.manual_seed(1)
    epochs = a["epochs"]

    if "dmf" in a:
        d = a["dmf"]
        n = d["rows"]
        inputs = [torch.randint(0, d["users"], (n,)), torch.randint(0, d["items"], (n,)),
                  torch.rand(n) * 4 + 1]
        dmf = Dmf(d["users"], d["items"])
        rate = train(dmf, inputs, F.mse_loss, d["batch"], epochs, 1e-5, clipnorm=1.0)
        ours = d["reclab_samples_per_second"]
        print(f"dmf        PyTorch {rate:9.0f} samples/s   RecLab {ours:9.0f}   ratio {ours / rate:.2f}x")

    if "hybrid" in a:
        h = a["hybrid"]
        n = h["rows"]
        cat = torch.stack([torch.randint(0, c, (n,)) for c in h["cardinalities"]], 1) \
            if h["cardinalities"] else torch.zeros((n, 0), dtype=torch.long)
        inputs = [torch.randint(0, h["users"], (n,)), torch.randint(0, h["items"], (n,)), cat,
                  torch.randn(n, h["continuous"]), torch.randint(0, h["classes"], (n,))]
        weights = torch.ones(h["classes"])
        hybrid = Hybrid(h)
        rate = train(hybrid, inputs, lambda out, y: focal_loss(out, y, weights), h["batch"], epochs, 1e-3)
        ours = h["reclab_samples_per_second"]
        print(f"hybrid_cnn PyTorch {rate:9.0f} samples/s   RecLab {ours:9.0f}   ratio {ours / rate:.2f}x")


if __name__ == "__main__":
    main()
