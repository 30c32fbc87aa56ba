#include "models/neural/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/errors.h"
#include "models/callbacks.h"
#include "models/neural/losses.h"
#include "models/neural/torch_util.h"
#include "support/temp_path.h"

namespace reclab::models::neural {
namespace {

/// A small softmax classifier over 4 inputs (linear -> BatchNorm -> 3 classes).
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() {
    hidden = register_module("hidden", torch::nn::Linear(4, 8));
    bn = register_module("bn", kerasBatchNorm(8));
    out = register_module("out", torch::nn::Linear(8, 3));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return out->forward(torch::relu(bn->forward(hidden->forward(x))));
  }
  torch::nn::Linear hidden{nullptr}, out{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(TinyNet);

class TinyClassifier : public TrainableNet {
 public:
  TinyNet model;
  /// Makes the loss NaN from this epoch's first batch on (0 = never).
  int poisonFromCall = 0;
  int calls = 0;
  torch::nn::Module& net() override { return *model; }
  torch::Tensor forward(const std::vector<torch::Tensor>& b) override { return model->forward(b[0]); }
  torch::Tensor loss(const torch::Tensor& out, const std::vector<torch::Tensor>& b) override {
    auto l = focalLoss(out, b[1], 0.0, 1.0);
    if (model->is_training() && poisonFromCall > 0 && ++calls >= poisonFromCall)
      l = l * std::numeric_limits<float>::quiet_NaN();
    return l;
  }
  OutputKind outputKind() const override { return OutputKind::Classification; }
  std::size_t targetColumn() const override { return 1; }
  std::vector<std::string> classNames() const override { return {"a", "b", "c"}; }
};

/// Three separable clusters: class = which of the first three inputs is largest.
TensorColumns clusters(int n, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto x = torch::randn({n, 4});
  auto y = x.slice(1, 0, 3).argmax(1);
  TensorColumns t;
  t.columns = {x, y};
  for (int i = 0; i < n; ++i) t.logRows.push_back(static_cast<std::uint32_t>(1000 + i));
  return t;
}

struct Recorder : Observer {
  std::vector<TrainingReport> epochs, batches;
  std::vector<std::string> evaluations, logs;
  void onEpoch(const TrainingReport& r) override { epochs.push_back(r); }
  void onBatch(const TrainingReport& r) override { batches.push_back(r); }
  void onEvaluation(std::string_view, const std::string& json) override { evaluations.push_back(json); }
  void onLog(LogLevel, std::string_view m) override { logs.emplace_back(m); }
};

struct Fixture {
  data::InteractionLog log;
  std::vector<std::uint32_t> rows;
  StopToken stop;
  Recorder rec;
  TrainContext ctx(std::uint64_t seed = 7) { return TrainContext{log, rows, nullptr, seed, 1, rec, stop}; }
};

TrainerConfig quick(int epochs) {
  TrainerConfig c;
  c.epochs = epochs;
  c.batchSize = 16;
  c.learningRate = 0.01;
  c.keepBest = false;
  return c;
}

TEST(Trainer, LearnsSeparableClassesAndReportsEveryEpoch) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(512, 1), valid = clusters(256, 2);
  Trainer trainer(quick(15), "tiny");
  auto ctx = f.ctx();
  auto r = trainer.fit(net, train, &valid, ctx);
  EXPECT_EQ(r.epochs, 15);
  ASSERT_EQ(f.rec.epochs.size(), 15u);
  const auto& last = f.rec.epochs.back().values;
  for (const char* k : {"train_loss", "train_accuracy", "lr", "samples_per_second", "val_loss",
                        "val_accuracy", "val_auc", "val_macro_f1"}) {
    EXPECT_TRUE(last.count(k)) << k;
  }
  EXPECT_GT(last.at("val_accuracy"), 0.9);
  EXPECT_GT(last.at("val_auc"), 0.97);
  EXPECT_LT(last.at("train_loss"), f.rec.epochs.front().values.at("train_loss"));
  EXPECT_FALSE(f.rec.batches.empty());
  // One classification report per validation pass, listing the log rows behind each cell.
  ASSERT_EQ(f.rec.evaluations.size(), 15u);
  auto j = nlohmann::json::parse(f.rec.evaluations.back());
  EXPECT_EQ(j["classes"], nlohmann::json({"a", "b", "c"}));
  EXPECT_EQ(j["split"], "valid");
  std::int64_t total = 0;
  for (const auto& row : j["confusion"])
    for (const auto& v : row) total += v.get<std::int64_t>();
  EXPECT_EQ(total, 256);
  EXPECT_GE(j["cell_rows"]["0,0"][0].get<std::uint32_t>(), 1000u);
}

TEST(Trainer, SameSeedSameWeightsOtherSeedOtherWeights) {
  auto run = [](std::uint64_t seed) {
    Fixture f;
    torch::manual_seed(3);  // same initial weights; only the shuffling seed differs
    TinyClassifier net;
    auto train = clusters(128, 1);
    Trainer trainer(quick(2), "tiny");
    auto ctx = f.ctx(seed);
    trainer.fit(net, train, nullptr, ctx);
    return net.model->out->weight.clone();
  };
  EXPECT_TRUE(torch::equal(run(11), run(11)));
  EXPECT_FALSE(torch::equal(run(11), run(12)));
}

TEST(Trainer, NonFiniteLossStopsWithTheLastGoodWeights) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(64, 1);  // 4 batches of 16 per epoch
  TrainerConfig c = quick(10);
  Trainer trainer(c, "tiny");
  net.poisonFromCall = 4 * 2 + 2;  // second batch of epoch 3
  auto ctx = f.ctx();
  WeightSnapshot afterEpoch2;
  struct Grab : TrainingCallback {
    TinyClassifier* net;
    WeightSnapshot* snap;
    bool onEpochEnd(const TrainingReport& r) override {
      if (r.epoch == 2) snap->take(*net->model);
      return false;
    }
  } grab;
  grab.net = &net;
  grab.snap = &afterEpoch2;
  ctx.callbacks.push_back(&grab);
  try {
    trainer.fit(net, train, nullptr, ctx);
    FAIL() << "expected TrainingDiverged";
  } catch (const TrainingDiverged& e) {
    EXPECT_NE(std::string(e.what()).find("at epoch 3, batch 2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("weights of epoch 2 were kept"), std::string::npos);
  }
  auto expected = net.model->out->weight.clone();
  afterEpoch2.restore(*net.model);
  EXPECT_TRUE(torch::equal(expected, net.model->out->weight));
  EXPECT_EQ(f.rec.epochs.size(), 2u);
}

TEST(Trainer, StepScheduleAndPlateau) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(64, 1);
  TrainerConfig c = quick(5);
  c.schedule = "step";
  c.stepSize = 2;
  c.gamma = 0.5;
  Trainer(c, "tiny").fit(net, train, nullptr, f.ctx());
  std::vector<double> lrs;
  for (const auto& e : f.rec.epochs) lrs.push_back(e.values.at("lr"));
  // torch's StepLR: multiplied by gamma after every step_size epochs.
  EXPECT_EQ(lrs, (std::vector<double>{0.01, 0.01, 0.005, 0.005, 0.0025}));

  // Plateau watching a value that does not improve (the lr itself, minimised): decays after
  // patience (2) + 1 epochs without improvement, as torch's ReduceLROnPlateau.
  Fixture g;
  TinyClassifier net2;
  TrainerConfig p = quick(6);
  p.schedule = "plateau";
  p.monitor = "lr";
  p.gamma = 0.1;
  Trainer(p, "tiny").fit(net2, train, nullptr, g.ctx());
  std::vector<double> plateau;
  for (const auto& e : g.rec.epochs) plateau.push_back(e.values.at("lr"));
  ASSERT_EQ(plateau.size(), 6u);
  for (int e = 0; e < 4; ++e) EXPECT_DOUBLE_EQ(plateau[e], 0.01) << e;
  EXPECT_NEAR(plateau[4], 0.001, 1e-12);
  EXPECT_NEAR(plateau[5], 0.001, 1e-12);
}

TEST(Trainer, KeepBestRestoresTheBestEpochAndEarlyStoppingEnds) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(256, 1), valid = clusters(128, 2);
  TrainerConfig c = quick(30);
  c.keepBest = true;
  c.monitor = "val_loss";
  EarlyStopping early("val_loss", 2);
  auto ctx = f.ctx();
  ctx.callbacks.push_back(&early);
  Trainer trainer(c, "tiny");
  auto r = trainer.fit(net, train, &valid, ctx);
  double best = 1e9;
  int bestEpoch = 0;
  for (const auto& e : f.rec.epochs) {
    if (e.values.at("val_loss") < best) {
      best = e.values.at("val_loss");
      bestEpoch = e.epoch;
    }
  }
  EXPECT_EQ(r.bestEpoch, bestEpoch);
  EXPECT_DOUBLE_EQ(r.bestValue, best);
  // The kept weights give the best validation loss again.
  auto probs = Trainer::predict(net, valid, 64);
  auto loss = torch::nll_loss(torch::log(probs), valid.columns[1]).item<double>();
  EXPECT_NEAR(loss, best, 1e-4);
}

TEST(Trainer, PerTensorClippingBoundsEveryGradient) {
  torch::manual_seed(1);
  TinyNet net;
  auto x = torch::randn({32, 4}) * 100;
  auto y = torch::randint(0, 3, {32}, torch::kInt64);
  auto loss = torch::cross_entropy_loss(net->forward(x), y) * 1000;
  loss.backward();
  TrainerConfig c;
  c.clipNorm = 0.5;
  // Same rule as the trainer: each tensor on its own.
  bool anyAbove = false;
  for (auto& p : net->parameters()) anyAbove = anyAbove || p.grad().norm().item<double>() > 0.5;
  ASSERT_TRUE(anyAbove);
  Fixture f;
  TinyClassifier tc;
  tc.model = net;
  auto train = clusters(32, 1);
  train.columns[0] = x;
  train.columns[1] = y;
  TrainerConfig one = quick(1);
  one.clipNorm = 0.5;
  one.batchSize = 32;
  one.optimizer = "sgd";
  one.learningRate = 1.0;
  auto before = net->out->weight.clone();
  Trainer(one, "tiny").fit(tc, train, nullptr, f.ctx());
  // SGD with lr 1: the step is the clipped gradient, so its norm is at most 0.5.
  EXPECT_LE((net->out->weight - before).norm().item<double>(), 0.5 + 1e-5);
}

TEST(Trainer, CheckpointRoundTripWithOptimizer) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(64, 1);
  Trainer trainer(quick(2), "tiny");
  trainer.fit(net, train, nullptr, f.ctx());
  const auto path = (reclab::testing::uniqueTempPath("reclab_ckpt_test.pt")).string();
  saveCheckpoint(path, *net.model, trainer.optimizer(), {{"config", "{\"a\":1}"}});
  TinyNet other;
  torch::optim::Adam opt(other->parameters(), torch::optim::AdamOptions(0.01));
  auto extra = loadCheckpoint(path, *other, &opt);
  EXPECT_EQ(extra.at("config"), "{\"a\":1}");
  EXPECT_EQ(readCheckpointExtra(path).at("config"), "{\"a\":1}");
  EXPECT_TRUE(torch::equal(other->out->weight, net.model->out->weight));
  EXPECT_TRUE(torch::equal(other->bn->running_mean, net.model->bn->running_mean));
  // The optimizer's moment estimates came back too.
  const auto& state = opt.state();
  EXPECT_FALSE(state.empty());
  std::filesystem::remove(path);
  EXPECT_THROW(loadCheckpoint(path, *other), InputError);
}

TEST(ParameterCounts, KerasStyleTrainableAndNonTrainable) {
  struct NetImpl : torch::nn::Module {
    NetImpl() {
      emb = register_module("emb", torch::nn::Embedding(10, 2));
      emb->weight.set_requires_grad(false);  // frozen, like seed A's pretrained embeddings
      dense = register_module("dense", torch::nn::Linear(4, 3));
      bn = register_module("bn", kerasBatchNorm(3));
    }
    torch::nn::Embedding emb{nullptr};
    torch::nn::Linear dense{nullptr};
    torch::nn::BatchNorm1d bn{nullptr};
  };
  auto net = std::make_shared<NetImpl>();
  auto c = countParameters(*net);
  // trainable: dense 4x3 + 3, BN gamma + beta 3 + 3 = 21
  EXPECT_EQ(c.trainable, 21);
  // non-trainable: frozen embedding 20 + BN moving mean and variance 3 + 3 = 26
  EXPECT_EQ(c.nonTrainable, 26);
  EXPECT_NE(c.summary.find("frozen"), std::string::npos);
}

TEST(TrainerConfig, PreciseErrors) {
  TrainerConfig c;
  c.batchSize = 0;
  try {
    c.validate("dmf");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "dmf: batch_size must be > 0, got 0");
  }
  c = TrainerConfig{};
  c.optimizer = "rmsprop";
  EXPECT_THROW(c.validate("dmf"), InputError);
  EXPECT_EQ(parseLayerSizes("512, 256,128 ,64", "x"), (std::vector<int>{512, 256, 128, 64}));
  try {
    parseLayerSizes("256,,64", "hybrid: dense_layers");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "hybrid: dense_layers: '256,,64' is not a list of positive layer sizes (e.g. "
                 "\"256,128,64\")");
  }
  EXPECT_THROW(parseLayerSizes("256,12.5", "x"), InputError);
  EXPECT_THROW(parseLayerSizes("0,64", "x"), InputError);
}

TEST(TrainerConfig, NumberListsAcceptWhatTheirCheckAllowsAndNameTheField) {
  auto positive = [](double v) { return v > 0; };
  EXPECT_EQ(parseNumberList(" 1, 2.5,10 ", "w", "positive numbers", "1,2", positive),
            (std::vector<double>{1, 2.5, 10}));
  for (const char* bad : {"1,,2", "1,x", "1,-2", "1,2,", "1e400", ""}) {
    try {
      parseNumberList(bad, "hybrid_cnn: class_weights", "positive numbers", "1,10,20", positive);
      ADD_FAILURE() << bad;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("hybrid_cnn: class_weights: '") + bad +
                                           "' is not a list of positive numbers (e.g. \"1,10,20\")");
    }
  }
}

TEST(Trainer, CancelThrowsCancelled) {
  Fixture f;
  TinyClassifier net;
  auto train = clusters(64, 1);
  f.stop.requestStop();
  Trainer trainer(quick(3), "tiny");
  EXPECT_THROW(trainer.fit(net, train, nullptr, f.ctx()), Cancelled);
}

}  // namespace
}  // namespace reclab::models::neural
