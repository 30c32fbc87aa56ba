#include "models/neural/trainer_config.h"

#include <cmath>
#include <fmt/format.h>

#include "common/errors.h"

namespace reclab::models::neural {

void TrainerConfig::validate(const std::string& model) const {
  auto fail = [&](const std::string& what) { throw InputError(model + ": " + what); };
  if (epochs <= 0) fail(fmt::format("epochs must be > 0, got {}", epochs));
  if (batchSize <= 0) fail(fmt::format("batch_size must be > 0, got {}", batchSize));
  if (optimizer != "adam" && optimizer != "adamw" && optimizer != "sgd" && optimizer != "adagrad")
    fail("optimizer must be one of adam, adamw, sgd, adagrad, got '" + optimizer + "'");
  if (!(learningRate > 0)) fail(fmt::format("lr must be > 0, got {}", learningRate));
  if (weightDecay < 0) fail(fmt::format("weight_decay must be >= 0, got {}", weightDecay));
  if (momentum < 0 || momentum >= 1) fail(fmt::format("momentum must be in [0, 1), got {}", momentum));
  if (clipNorm < 0) fail(fmt::format("clipnorm must be >= 0, got {}", clipNorm));
  if (clipScope != "per_tensor" && clipScope != "global")
    fail("clip_scope must be per_tensor or global, got '" + clipScope + "'");
  if (schedule != "none" && schedule != "step" && schedule != "plateau")
    fail("lr_schedule must be one of none, step, plateau, got '" + schedule + "'");
  if (stepSize <= 0) fail(fmt::format("lr_step must be > 0, got {}", stepSize));
  if (!(gamma > 0 && gamma <= 1)) fail(fmt::format("lr_gamma must be in (0, 1], got {}", gamma));
  if (plateauPatience < 0) fail(fmt::format("lr_patience must be >= 0, got {}", plateauPatience));
  if (threads < 0) fail(fmt::format("threads must be >= 0, got {}", threads));
}

bool TrainerConfig::monitorMaximises() const {
  for (const char* m : {"auc", "accuracy", "f1", "precision", "recall", "r2"})
    if (monitor.find(m) != std::string::npos) return true;
  return false;
}

void addTrainerParams(std::vector<ParamSpec>& params, const TrainerConfig& d) {
  using T = ParamSpec::Type;
  params.push_back({"epochs", T::Int, d.epochs, 1, 100000, {}, "passes over the training rows"});
  params.push_back({"batch_size", T::Int, d.batchSize, 1, 1 << 20, {}, "rows per mini-batch"});
  params.push_back({"optimizer", T::Choice, d.optimizer, {}, {}, {"adam", "adamw", "sgd", "adagrad"},
                    "adam / adamw (decoupled weight decay) / sgd (with momentum) / adagrad"});
  params.push_back({"lr", T::Double, d.learningRate, 1e-9, 10.0, {}, "learning rate"});
  params.push_back({"weight_decay", T::Double, d.weightDecay, 0.0, 10.0, {},
                    "the optimizer's weight decay on every trainable parameter (adamw: decoupled)"});
  params.push_back({"momentum", T::Double, d.momentum, 0.0, 0.999, {}, "sgd momentum"});
  params.push_back({"clipnorm", T::Double, d.clipNorm, 0.0, 1e6, {},
                    "clip gradient norms to this value (0 = no clipping)"});
  params.push_back({"clip_scope", T::Choice, d.clipScope, {}, {}, {"per_tensor", "global"},
                    "per_tensor: each parameter's gradient on its own (Keras clipnorm); global: "
                    "all gradients together (torch clip_grad_norm_)"});
  params.push_back({"lr_schedule", T::Choice, d.schedule, {}, {}, {"none", "step", "plateau"},
                    "step: lr x gamma every lr_step epochs; plateau: lr x gamma when `monitor` has "
                    "not improved for lr_patience epochs"});
  params.push_back({"lr_step", T::Int, d.stepSize, 1, 100000, {}, "epochs between step decays"});
  params.push_back({"lr_gamma", T::Double, d.gamma, 1e-6, 1.0, {}, "decay factor"});
  params.push_back({"lr_patience", T::Int, d.plateauPatience, 0, 1000, {},
                    "plateau: epochs without improvement before decaying"});
  params.push_back({"min_lr", T::Double, d.minLearningRate, 0.0, 10.0, {}, "lower bound of the lr"});
  params.push_back({"monitor", T::String, d.monitor, {}, {}, {},
                    "epoch value watched by the plateau schedule and the best checkpoint "
                    "(val_loss, val_auc, val_rmse...)"});
  params.push_back({"keep_best", T::Bool, d.keepBest, {}, {}, {},
                    "end with the weights of the best `monitor` epoch"});
  params.push_back({"threads", T::Int, d.threads, 0, 256, {},
                    "LibTorch threads (0 = the run's thread budget)"});
  params.push_back({"fused_kernels", T::Bool, d.fusedKernels, {}, {}, {},
                    "fused CPU kernels for dropout, Conv1D + max pooling and the Adam / AdamW step "
                    "with clipping and L2 (false: LibTorch's chain of ops; same mathematics)"});
}

std::vector<double> parseNumberList(const std::string& text, const std::string& what,
                                    const std::string& kind, const std::string& example,
                                    bool (*accept)(double)) {
  std::vector<double> values;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(pos, comma - pos);
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    bool ok = !part.empty();
    double v = 0;
    if (ok) {
      try {
        std::size_t used = 0;
        v = std::stod(part, &used);
        ok = used == part.size() && std::isfinite(v) && accept(v);
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) {
      throw InputError(
          fmt::format("{}: '{}' is not a list of {} (e.g. \"{}\")", what, text, kind, example));
    }
    values.push_back(v);
    pos = comma + 1;
  }
  return values;
}

std::vector<int> parseLayerSizes(const std::string& text, const std::string& what) {
  const auto values = parseNumberList(text, what, "positive layer sizes", "256,128,64",
                                      [](double v) { return v >= 1 && v == std::floor(v) && v < 1e9; });
  return {values.begin(), values.end()};
}

TrainerConfig trainerConfigFrom(const nlohmann::json& p) {
  TrainerConfig c;
  c.epochs = static_cast<int>(paramInt(p, "epochs"));
  c.batchSize = static_cast<int>(paramInt(p, "batch_size"));
  c.optimizer = paramString(p, "optimizer");
  c.learningRate = paramDouble(p, "lr");
  c.weightDecay = paramDouble(p, "weight_decay");
  c.momentum = paramDouble(p, "momentum");
  c.clipNorm = paramDouble(p, "clipnorm");
  c.clipScope = paramString(p, "clip_scope");
  c.schedule = paramString(p, "lr_schedule");
  c.stepSize = static_cast<int>(paramInt(p, "lr_step"));
  c.gamma = paramDouble(p, "lr_gamma");
  c.plateauPatience = static_cast<int>(paramInt(p, "lr_patience"));
  c.minLearningRate = paramDouble(p, "min_lr");
  c.monitor = paramString(p, "monitor");
  c.keepBest = paramBool(p, "keep_best");
  c.threads = static_cast<int>(paramInt(p, "threads"));
  // Absent from the parameters of runs stored before the option existed.
  if (p.contains("fused_kernels")) c.fusedKernels = paramBool(p, "fused_kernels");
  return c;
}

}  // namespace reclab::models::neural
