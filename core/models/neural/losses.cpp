#include "models/neural/losses.h"

namespace reclab::models::neural {

torch::Tensor focalLoss(const torch::Tensor& logits, const torch::Tensor& target, double gamma,
                        double alpha, const torch::Tensor& classWeights) {
  auto logp = torch::log_softmax(logits, 1).gather(1, target.view({-1, 1})).view({-1});
  auto loss = -alpha * logp;
  if (gamma != 0.0) loss = loss * torch::pow(1.0 - logp.exp(), gamma);
  if (classWeights.defined()) loss = loss * classWeights.index_select(0, target);
  return loss.mean();
}

std::vector<float> balancedClassWeights(const std::vector<std::int64_t>& counts) {
  std::int64_t n = 0;
  for (auto c : counts) n += c;
  std::vector<float> w(counts.size(), 0.0f);
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] > 0) {
      w[c] = static_cast<float>(static_cast<double>(n) /
                                (static_cast<double>(counts.size()) * static_cast<double>(counts[c])));
    }
  }
  return w;
}

}  // namespace reclab::models::neural
