#include <torch/version.h>

#include "models/neural/neural_models.h"
#include "models/neural/torch_mf.h"
#include "models/registry.h"

namespace reclab::models::neural {

const char* torchVersion() { return TORCH_VERSION; }

void registerNeuralModels(Registry& registry) {
  using T = ParamSpec::Type;
  ModelInfo info;
  info.name = "torch_mf";
  info.displayName = "Biased MF (LibTorch, mini-batch Adam)";
  info.task = Task::Rating;
  info.description =
      "r(u,i) = mu + b_u + b_i + p_u.q_i trained by mini-batch Adam on squared error with L2 "
      "on the factors and biases of each batch.";
  info.params = {
      {"factors", T::Int, 32, 1, 1024, {}, "latent dimension k"},
      {"epochs", T::Int, 20, 1, 10000, {}, "passes over the training rows"},
      {"batch_size", T::Int, 1024, 1, 1 << 20, {}, "rows per mini-batch"},
      {"lr", T::Double, 0.005, 1e-7, 10.0, {}, "Adam learning rate"},
      {"reg", T::Double, 0.1, 0.0, 100.0, {}, "L2 weight on the factors and biases of each batch (per rating)"},
      {"init_std", T::Double, 0.1, 1e-6, 10.0, {}, "std of the normal initialisation"},
      {"threads", T::Int, 0, 0, 256, {}, "LibTorch threads (0 = the run's thread budget)"},
  };
  info.factory = [](const nlohmann::json& p) {
    TorchMfConfig c;
    c.factors = static_cast<int>(paramInt(p, "factors"));
    c.epochs = static_cast<int>(paramInt(p, "epochs"));
    c.batchSize = static_cast<int>(paramInt(p, "batch_size"));
    c.learningRate = paramDouble(p, "lr");
    c.reg = paramDouble(p, "reg");
    c.initStd = paramDouble(p, "init_std");
    c.threads = static_cast<int>(paramInt(p, "threads"));
    return std::make_unique<TorchMf>(c);
  };
  registry.add(std::move(info));
}

}  // namespace reclab::models::neural
