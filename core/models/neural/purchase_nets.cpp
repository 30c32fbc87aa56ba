#include "models/neural/purchase_nets.h"

#include <fmt/format.h>

#include "models/neural/fused_ops.h"
#include "models/neural/trainer_config.h"

namespace reclab::models::neural {

nlohmann::json PurchaseShape::toJson() const {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [a, b] : crossPairs) pairs.push_back({a, b});
  return {{"cardinalities", cardinalities},
          {"continuous", continuous},
          {"cross_pairs", pairs},
          {"cross_buckets", crossBuckets}};
}

PurchaseShape PurchaseShape::fromJson(const nlohmann::json& j) {
  PurchaseShape s;
  s.cardinalities = j.at("cardinalities").get<std::vector<std::int64_t>>();
  s.continuous = j.at("continuous").get<std::int64_t>();
  for (const auto& p : j.at("cross_pairs")) s.crossPairs.emplace_back(p.at(0), p.at(1));
  s.crossBuckets = j.at("cross_buckets").get<std::int64_t>();
  return s;
}

namespace {

/// Linear -> ReLU -> Dropout for each hidden size, then Linear -> 1.
torch::nn::Sequential makeMlp(std::int64_t in, const std::string& hidden, double dropout,
                              bool fused, const std::string& what) {
  torch::nn::Sequential seq;
  if (!hidden.empty()) {
    for (int size : parseLayerSizes(hidden, what)) {
      seq->push_back(torch::nn::Linear(in, size));
      seq->push_back(torch::nn::ReLU());
      if (dropout > 0) seq->push_back(EngineDropout(dropout, fused));
      in = size;
    }
  }
  seq->push_back(torch::nn::Linear(in, 1));
  return seq;
}

}  // namespace

PurchaseModuleImpl::PurchaseModuleImpl(const PurchaseShape& shape, const PurchaseConfig& c)
    : architecture(c.architecture) {
  const auto& a = architecture;
  const auto numFields = static_cast<std::int64_t>(shape.cardinalities.size());
  const auto k = shape.continuous;
  std::vector<std::int64_t> starts;
  std::int64_t total = 0;
  for (auto card : shape.cardinalities) {
    starts.push_back(total);
    total += card;
  }
  offsets = torch::tensor(starts, torch::kInt64).view({1, -1});
  bias = register_parameter("bias", torch::zeros({1}));
  const std::string mlpName = c.modelName() + ": hidden_layers";
  torch::NoGradGuard noGrad;

  if (a == "lr" || a == "fmnn" || a == "wide_deep") {
    firstOrder = register_module("first_order", torch::nn::Embedding(total, 1));
    firstOrder->weight.zero_();
    contLinear = register_module("continuous_linear",
                                 torch::nn::Linear(torch::nn::LinearOptions(k, 1).bias(false)));
    contLinear->weight.zero_();
  }
  const std::int64_t d = a == "fe_transformer" ? c.dModel : c.embeddingDim;
  if (a != "lr") {
    fields = register_module("field_embedding", torch::nn::Embedding(total, d));
    fields->weight.uniform_(-0.05, 0.05);
  }
  if (a == "fmnn" || a == "pnn" || a == "fe_transformer") {
    contVec = register_parameter("continuous_vectors", torch::empty({k, d}).uniform_(-0.05, 0.05));
  }
  if (a == "fe_transformer") {
    contBias = register_parameter("continuous_bias", torch::zeros({k, d}));
  }
  if (a == "fnn" || a == "wide_deep") {
    mlp = register_module("mlp", makeMlp(numFields * d + k, c.hiddenLayers, c.dropout,
                                         c.trainer.fusedKernels, mlpName));
  } else if (a == "fmnn") {
    mlp = register_module("mlp", makeMlp((numFields + k) * d, c.hiddenLayers, c.dropout,
                                         c.trainer.fusedKernels, mlpName));
  } else if (a == "pnn") {
    const auto f = numFields + k;
    auto idx = torch::triu_indices(f, f, 1);
    pairRows = idx[0].clone();
    pairCols = idx[1].clone();
    mlp = register_module("mlp", makeMlp(f * d + f * (f - 1) / 2, c.hiddenLayers, c.dropout,
                                         c.trainer.fusedKernels, mlpName));
  } else if (a == "fe_transformer") {
    encoder = register_module("encoder", torch::nn::ModuleList());
    for (int l = 0; l < c.layers; ++l) {
      encoder->push_back(torch::nn::TransformerEncoderLayer(
          torch::nn::TransformerEncoderLayerOptions(c.dModel, c.heads)
              .dim_feedforward(c.ffDim)
              .dropout(c.dropout)));
    }
    if (c.pooling == "cls")
      cls = register_parameter("cls", torch::empty({1, 1, d}).uniform_(-0.05, 0.05));
    mlp = register_module("head",
                          makeMlp(d, c.hiddenLayers, c.dropout, c.trainer.fusedKernels, mlpName));
  }
  if (a == "wide_deep") {
    const auto pairs = static_cast<std::int64_t>(shape.crossPairs.size());
    if (pairs > 0) {
      crossWeights =
          register_module("cross_weights", torch::nn::Embedding(pairs * shape.crossBuckets, 1));
      crossWeights->weight.zero_();
    }
  }
}

torch::Tensor PurchaseModuleImpl::firstOrderTerm(const torch::Tensor& cat,
                                                 const torch::Tensor& cont) {
  return firstOrder->forward(cat + offsets).sum({1, 2}) + contLinear->forward(cont).view({-1});
}

torch::Tensor PurchaseModuleImpl::fieldVectors(const torch::Tensor& cat,
                                               const torch::Tensor& cont) {
  auto e = fields->forward(cat + offsets);            // N x F x d
  auto x = cont.unsqueeze(2) * contVec.unsqueeze(0);  // N x K x d
  if (contBias.defined()) x = x + contBias.unsqueeze(0);
  return torch::cat({e, x}, 1);
}

torch::Tensor PurchaseModuleImpl::forward(const torch::Tensor& cat, const torch::Tensor& cont,
                                          const torch::Tensor& cross) {
  const auto n = cat.size(0);
  const auto& a = architecture;
  torch::Tensor logit;
  if (a == "lr") {
    logit = firstOrderTerm(cat, cont);
  } else if (a == "fnn") {
    auto e = fields->forward(cat + offsets).view({n, -1});
    logit = mlp->forward(torch::cat({e, cont}, 1)).view({-1});
  } else if (a == "fmnn") {
    auto v = fieldVectors(cat, cont);
    auto sum = v.sum(1);
    auto pairwise = 0.5 * (sum.pow(2) - v.pow(2).sum(1)).sum(1);
    logit = firstOrderTerm(cat, cont) + pairwise + mlp->forward(v.view({n, -1})).view({-1});
  } else if (a == "pnn") {
    auto v = fieldVectors(cat, cont);
    auto gram = torch::bmm(v, v.transpose(1, 2));  // N x F x F inner products
    auto products = gram.index({torch::indexing::Slice(), pairRows, pairCols});
    logit = mlp->forward(torch::cat({v.view({n, -1}), products}, 1)).view({-1});
  } else if (a == "wide_deep") {
    auto wide = firstOrderTerm(cat, cont);
    if (crossWeights) wide = wide + crossWeights->forward(cross).sum({1, 2});
    auto e = fields->forward(cat + offsets).view({n, -1});
    logit = wide + mlp->forward(torch::cat({e, cont}, 1)).view({-1});
  } else {
    auto tokens = fieldVectors(cat, cont);  // N x T x d
    if (cls.defined()) tokens = torch::cat({cls.expand({n, 1, cls.size(2)}), tokens}, 1);
    auto h = tokens.transpose(0, 1);  // T x N x d, as the encoder layers expect
    for (const auto& layer : *encoder)
      h = layer->as<torch::nn::TransformerEncoderLayer>()->forward(h);
    auto pooled = cls.defined() ? h[0] : h.mean(0);
    logit = mlp->forward(pooled).view({-1});
  }
  return logit + bias;
}

}  // namespace reclab::models::neural
