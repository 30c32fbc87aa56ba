#!/usr/bin/python3
"""SR-GNN in PyTorch, written from the paper (Wu et al., AAAI 2019), as the reference for
RecLab's LibTorch SR-GNN (core/models/neural/srgnn.cpp). Reads the exact data and settings that
tests/bench/session_neural_bench.cpp trained on and prints the same figures:

    build/tests/bench/bench_session_neural
    /usr/bin/python3 tests/bench/srgnn_pytorch.py /tmp/reclab_srgnn_bench/sample [--threads 1,2] [--seed 1]

The network (see srgnn.h for the equations): session graph over the prefix's distinct items
(A_out = edge counts / out-degree, A_in = reversed counts / in-degree), one gated GNN step
a = [A_out V H_out ; A_in V H_in] + b, GRU-style update without biases, soft attention
alpha_t = q^T sigmoid(W1 v_n + W2 v_t + c), s_h = W3 [v_n ; s_g], scores s_h^T e_i over all
items, cross-entropy. Every parameter U(-1/sqrt(d), 1/sqrt(d)). Adam (eps as RecLab's 1e-8)
with L2 weight decay, lr x gamma every lr_step epochs. Training samples: every prefix of every
training session -> its next click, reshuffled each epoch, batches of batch_size. Batches are
built with index tensors exactly as the C++ code does: pad to the batch's longest prefix,
row-wise sort for the distinct items, scatter of edge counts into B x m x m, batched matmuls.
The permutation (torch.randperm) and the initial values differ from RecLab's (same
distributions); throughput does not depend on them.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_sessions(path):
    with open(path) as f:
        return [[int(x) for x in line.split()] for line in f if line.strip()]


def prefixes(sessions):
    """Flat items, and per prefix (start, length, target)."""
    items, start, length, target = [], [], [], []
    for s in sessions:
        off = len(items)
        items.extend(s)
        for t in range(1, len(s)):
            start.append(off)
            length.append(t)
            target.append(s[t])
    as_long = lambda v: torch.tensor(v, dtype=torch.long)
    return as_long(items), as_long(start), as_long(length), as_long(target)


def pad(items, start, length):
    max_len = int(length.max())
    pos = torch.arange(max_len).unsqueeze(0)
    mask = pos < length.unsqueeze(1)
    index = (start.unsqueeze(1) + pos).masked_fill(~mask, 0)
    seq = items[index.reshape(-1)].reshape(index.shape).masked_fill(~mask, 0)
    return seq, mask


def session_graphs(seq, mask):
    b, l = seq.shape
    sentinel = torch.iinfo(torch.long).max
    sorted_, perm = seq.masked_fill(~mask, sentinel).sort(1)
    valid_sorted = sorted_ != sentinel
    is_new = torch.ones(b, l, dtype=torch.bool)
    if l > 1:
        is_new[:, 1:] = sorted_[:, 1:] != sorted_[:, :-1]
    node_sorted = is_new.long().cumsum(1) - 1
    nodes = (is_new & valid_sorted).sum(1)
    m = int(nodes.max())
    alias = torch.empty_like(node_sorted).scatter_(1, perm, node_sorted).masked_fill(~mask, 0)
    node_items = torch.zeros(b, m + 1, dtype=torch.long).scatter_(
        1, node_sorted, sorted_.masked_fill(~valid_sorted, 0))[:, :m]
    counts = torch.zeros(b * m * m)
    if l > 1:
        flat = (torch.arange(b) * (m * m)).unsqueeze(1) + alias[:, :-1] * m + alias[:, 1:]
        counts.index_add_(0, flat.reshape(-1), mask[:, 1:].float().reshape(-1))
    counts = counts.view(b, m, m)
    out_adj = counts / counts.sum(2, keepdim=True).clamp_min(1.0)
    tr = counts.transpose(1, 2)
    in_adj = tr / tr.sum(2, keepdim=True).clamp_min(1.0)
    return node_items, alias, out_adj, in_adj


class SRGNN(nn.Module):
    def __init__(self, n_items, d, steps):
        super().__init__()
        self.d, self.steps = d, steps
        self.embedding = nn.Embedding(n_items, d)
        self.edge_out = nn.Linear(d, d, bias=False)
        self.edge_in = nn.Linear(d, d, bias=False)
        self.edge_bias = nn.Parameter(torch.zeros(2 * d))
        self.gate_w = nn.Linear(2 * d, 3 * d, bias=False)
        self.gate_u = nn.Linear(d, 2 * d, bias=False)
        self.cand_u = nn.Linear(d, d, bias=False)
        self.att_w1 = nn.Linear(d, d, bias=False)
        self.att_w2 = nn.Linear(d, d, bias=True)
        self.att_q = nn.Linear(d, 1, bias=False)
        self.w3 = nn.Linear(2 * d, d, bias=False)
        bound = 1.0 / d ** 0.5
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound)

    def forward(self, items, start, length):
        seq, mask = pad(items, start, length)
        node_items, alias, out_adj, in_adj = session_graphs(seq, mask)
        b, l = alias.shape
        h = self.embedding(node_items)
        for _ in range(self.steps):
            a = torch.cat([torch.bmm(out_adj, self.edge_out(h)),
                           torch.bmm(in_adj, self.edge_in(h))], 2) + self.edge_bias
            wz, wr, wo = self.gate_w(a).chunk(3, 2)
            uz, ur = self.gate_u(h).chunk(2, 2)
            z = torch.sigmoid(wz + uz)
            r = torch.sigmoid(wr + ur)
            cand = torch.tanh(wo + self.cand_u(r * h))
            h = (1 - z) * h + z * cand
        seq_h = h.gather(1, alias.unsqueeze(2).expand(b, l, self.d))
        last = seq_h.gather(1, (length - 1).view(b, 1, 1).expand(b, 1, self.d)).squeeze(1)
        alpha = self.att_q(torch.sigmoid(self.att_w1(last).unsqueeze(1) + self.att_w2(seq_h)))
        s_g = (alpha * seq_h * mask.unsqueeze(2).float()).sum(1)
        s_h = self.w3(torch.cat([last, s_g], 1))
        return s_h @ self.embedding.weight.t()


def evaluate(model, data, k=20, batch=500):
    """Recall@k and MRR@k over every test prefix; ties ranked by ascending item (RecLab's)."""
    items, start, length, target = data
    hits = rr = 0.0
    model.eval()
    with torch.no_grad():
        for lo in range(0, len(start), batch):
            s = model(items, start[lo:lo + batch], length[lo:lo + batch])
            t = target[lo:lo + batch]
            ts = s.gather(1, t.unsqueeze(1))
            lower = torch.arange(s.shape[1]).unsqueeze(0) < t.unsqueeze(1)
            rank = (s > ts).sum(1) + ((s == ts) & lower).sum(1) + 1
            hit = rank <= k
            hits += float(hit.sum())
            rr += float((hit.double() / rank.double()).sum())
    model.train()
    n = max(1, len(start))
    return hits / n, rr / n


def run(meta, train, test, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    items, start, length, target = train
    model = SRGNN(meta["num_items"], meta["hidden_size"], meta["steps"])
    opt = torch.optim.Adam(model.parameters(), lr=meta["lr"], eps=meta["adam_eps"],
                           weight_decay=meta["weight_decay"])
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=meta["lr_step"], gamma=meta["lr_gamma"])
    bs = meta["batch_size"]
    n = len(start)
    rates, seconds = [], []
    for epoch in range(meta["epochs"]):
        t0 = time.perf_counter()
        order = torch.randperm(n)
        total = 0.0
        for lo in range(0, n, bs):
            idx = order[lo:lo + bs]
            scores = model(items, start[idx], length[idx])
            loss = F.cross_entropy(scores, target[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        dt = time.perf_counter() - t0
        sched.step()
        rates.append(n / dt)
        seconds.append(dt)
        print(f"    epoch {epoch + 1}: loss {total / n:.4f}  {n / dt:.0f} prefixes/s  {dt:.1f} s",
              flush=True)
    recall, mrr = evaluate(model, test)
    median = lambda v: statistics.median(v[1:] if len(v) > 1 else v)
    return median(rates), median(seconds), recall, mrr


SEED = 1  # --seed: torch.manual_seed of each run (permutation and initial values)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    folder = sys.argv[1]
    threads = [1, 2]
    global SEED
    if "--seed" in sys.argv:
        SEED = int(sys.argv[sys.argv.index("--seed") + 1])
    if "--threads" in sys.argv:
        threads = [int(x) for x in sys.argv[sys.argv.index("--threads") + 1].split(",")]
    with open(f"{folder}/meta.json") as f:
        meta = json.load(f)
    train = prefixes(read_sessions(f"{folder}/train.txt"))
    test = prefixes(read_sessions(f"{folder}/test.txt"))
    print(f"{meta['set']}: {meta['num_items']} items, {len(train[1])} training prefixes, "
          f"{len(test[1])} test prefixes (torch {torch.__version__})")
    for t in threads:
        rate, secs, recall, mrr = run(meta, train, test, t)
        print(f"  pytorch srgnn {t} thread(s): {rate:7.0f} prefixes/s  {secs:7.1f} s/epoch  "
              f"after {meta['epochs']} epochs Recall@20 {recall:.4f} MRR@20 {mrr:.4f}")
        for r in meta.get("reclab", []):
            if r["threads"] == t:
                print(f"  reclab  srgnn {t} thread(s): {r['prefixes_per_second']:7.0f} prefixes/s"
                      f"  {r['seconds_per_epoch']:7.1f} s/epoch  Recall@20 {r['recall@20']:.4f}"
                      f" MRR@20 {r['mrr@20']:.4f}")


if __name__ == "__main__":
    main()
