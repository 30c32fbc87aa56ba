#include "models/neural/session_thesis_nets.h"

#include <fmt/format.h>
#include <torch/torch.h>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include "common/errors.h"
#include "data/session_sequences.h"
#include "features/session_graphs.h"
#include "models/neural/session_thesis_data.h"
#include "models/neural/torch_util.h"
#include "models/neural/trainer.h"
#include "split/leakage.h"

namespace reclab::models::neural::thesis {

void normaliseRows(std::vector<float>& w, const std::vector<std::int64_t>& offsets,
                   const std::string& mode) {
  if (mode == "none") return;
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    double s = 0;
    for (auto e = offsets[r]; e < offsets[r + 1]; ++e) {
      const double v = w[static_cast<std::size_t>(e)];
      s += mode == "l1" ? std::abs(v) : v * v;
    }
    if (mode == "l2") s = std::sqrt(s);
    if (s <= 0) continue;
    for (auto e = offsets[r]; e < offsets[r + 1]; ++e)
      w[static_cast<std::size_t>(e)] = static_cast<float>(w[static_cast<std::size_t>(e)] / s);
  }
}

std::shared_ptr<GraphInput> makeGraphInput(const ThesisGraph& g, ThesisModel kind,
                                           const std::string& norm) {
  auto in = std::make_shared<GraphInput>();
  const auto p = static_cast<std::size_t>(g.numChannels);
  std::vector<std::int64_t> cols;
  std::vector<float> w;
  in->offsets.assign(1, 0);
  for (std::size_t r = 0; r + 1 < g.offsets.size(); ++r) {
    for (auto e = static_cast<std::size_t>(g.offsets[r]);
         e < static_cast<std::size_t>(g.offsets[r + 1]); ++e) {
      if (kind == ThesisModel::GnnG) {
        if (g.channels[e * p] <= 0) continue;
        w.push_back(g.channels[e * p]);
      } else if (kind == ThesisModel::GnnH) {
        w.push_back(g.total(e));
      } else {
        w.insert(w.end(), g.channels.begin() + static_cast<std::ptrdiff_t>(e * p),
                 g.channels.begin() + static_cast<std::ptrdiff_t>((e + 1) * p));
      }
      cols.push_back(g.columns[e]);
    }
    in->offsets.push_back(static_cast<std::int64_t>(cols.size()));
  }
  if (kind != ThesisModel::GnnK) normaliseRows(w, in->offsets, norm);
  in->columns = torch::tensor(cols, torch::kInt64);
  in->weights = torch::tensor(w, torch::kFloat32);
  if (kind == ThesisModel::GnnK) in->weights = in->weights.view({-1, g.numChannels});
  return in;
}

Bags bagsOf(const GraphInput& g, const torch::Tensor& clicks) {
  auto c = clicks.contiguous();
  const auto* p = c.data_ptr<std::int64_t>();
  const std::int64_t nb = c.numel();
  const auto rows = static_cast<std::int64_t>(g.offsets.size()) - 1;
  Bags b;
  b.offsets = torch::empty({nb}, torch::kInt64);
  auto* off = b.offsets.data_ptr<std::int64_t>();
  std::int64_t m = 0;
  for (std::int64_t k = 0; k < nb; ++k) {
    off[k] = m;
    if (p[k] >= 0 && p[k] < rows) m += g.offsets[p[k] + 1] - g.offsets[p[k]];
  }
  b.entries = torch::empty({m}, torch::kInt64);
  b.bagOfEntry = torch::empty({m}, torch::kInt64);
  auto* ent = b.entries.data_ptr<std::int64_t>();
  auto* bag = b.bagOfEntry.data_ptr<std::int64_t>();
  std::int64_t w = 0;
  for (std::int64_t k = 0; k < nb; ++k) {
    if (p[k] < 0 || p[k] >= rows) continue;
    for (auto e = g.offsets[p[k]]; e < g.offsets[p[k] + 1]; ++e, ++w) {
      ent[w] = e;
      bag[w] = k;
    }
  }
  return b;
}

torch::Tensor activate(torch::Tensor x, const std::string& a) {
  if (a == "relu") return torch::relu(x);
  if (a == "tanh") return torch::tanh(x);
  return x;
}

torch::Tensor inputTensor(const std::vector<std::int32_t>& v, std::int64_t rows) {
  return torch::tensor(std::vector<std::int64_t>(v.begin(), v.end()), torch::kInt64)
      .view({rows, kInputLength});
}

torch::Tensor edgeTensor(const ThesisGraph& g, const std::string& norm,
                         const std::vector<std::int32_t>& inputs,
                         const std::vector<std::int32_t>& candidates) {
  const auto rows = static_cast<std::int64_t>(candidates.size());
  const auto p = g.numChannels;
  auto t = torch::zeros({rows, kInputLength, p});
  auto* d = t.data_ptr<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    for (int i = 0; i < kInputLength; ++i) {
      const auto click = inputs[static_cast<std::size_t>(r * kInputLength + i)];
      std::span<float> e(d + (r * kInputLength + i) * p, static_cast<std::size_t>(p));
      g.edge(click, candidates[static_cast<std::size_t>(r)], e);
      if (click >= 0 && click < g.numItems)
        normaliseEdge(e, g.rowTotals[static_cast<std::size_t>(click)], norm);
    }
  }
  return t;
}

TensorColumns binaryColumns(const BinarySamples& s, const ThesisGraph& g,
                            const SessionThesisConfig& c) {
  const auto n = static_cast<std::int64_t>(s.size());
  TensorColumns t;
  t.columns = {
      inputTensor(s.inputs, n),
      torch::tensor(std::vector<std::int64_t>(s.candidates.begin(), s.candidates.end()),
                    torch::kInt64),
      torch::tensor(std::vector<std::int64_t>(s.labels.begin(), s.labels.end()), torch::kInt64)};
  if (c.kind == ThesisModel::GnnBinK)
    t.columns.push_back(edgeTensor(g, c.edgeNorm, s.inputs, s.candidates));
  return t;
}

std::vector<std::string> clickEvents(const data::InteractionLog& log) {
  std::vector<std::string> events;
  for (const auto& e : log.eventNames)
    if (e != data::event_names::kBuy) events.push_back(e);
  return events;
}

}  // namespace reclab::models::neural::thesis
