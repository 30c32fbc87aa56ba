#include <torch/version.h>

#include "models/neural/dmf.h"
#include "models/neural/gru4rec.h"
#include "models/neural/hybrid.h"
#include "models/neural/neural_models.h"
#include "models/neural/purchase.h"
#include "models/neural/session_thesis.h"
#include "models/neural/srgnn.h"
#include "models/neural/torch_mf.h"
#include "models/registry.h"

namespace reclab::models::neural {

const char* torchVersion() { return TORCH_VERSION; }

namespace {

void registerDmf(Registry& registry) {
  using T = ParamSpec::Type;
  const DmfConfig d = DmfConfig::defaults();
  ModelInfo info;
  info.name = "dmf";
  info.displayName = "Deep Matrix Factorization (seed C)";
  info.task = Task::Rating;
  info.description =
      "User and item embeddings concatenated into Dense 256-128-64-1 with BatchNorm, LeakyReLU "
      "and dropout; MSE with Adam lr 1e-5 and clipnorm 1.0 (seed C's defaults, Keras "
      "initialisation). Scores every item for ranking; exposes its embeddings for KNN and "
      "K-Means; takes new users and items incrementally.";
  info.params = {
      {"embedding_dim", T::Int, d.embeddingDim, 1, 1024, {}, "user and item embedding size"},
      {"embedding_l2", T::Double, d.embeddingL2, 0.0, 100.0, {}, "L2 on the embedding tables"},
      {"l2_scope", T::Choice, d.l2Scope, {}, {}, {"table", "batch"},
       "table: penalty over the whole tables each batch (Keras, seed C); batch: only the batch's "
       "rows, divided by the batch size"},
      {"hidden_layers", T::String, d.hiddenLayers, {}, {}, {}, "dense layer sizes before the output"},
      {"batch_norm", T::Bool, d.batchNorm, {}, {}, {}, "BatchNorm after each hidden dense layer"},
      {"leaky_alpha", T::Double, d.leakyAlpha, 0.0, 1.0, {}, "LeakyReLU negative slope"},
      {"dropout", T::Double, d.dropout, 0.0, 0.95, {}, "dropout rate"},
      {"dropout_layers", T::Int, d.dropoutLayers, 0, 64, {}, "dropout after the first N hidden layers"},
      {"init_output_to_mean", T::Bool, d.initOutputToMean, {}, {}, {},
       "start the output bias at the training mean rating (0 in Keras)"},
      {"fold_in_steps", T::Int, d.foldInSteps, 1, 100000, {}, "incremental: Adam steps per folded-in user"},
      {"fold_in_lr", T::Double, d.foldInLr, 1e-9, 10.0, {}, "incremental: their learning rate"},
  };
  addTrainerParams(info.params, DmfConfig::defaultTrainer());
  info.factory = [](const nlohmann::json& p) {
    DmfConfig c;
    c.embeddingDim = static_cast<int>(paramInt(p, "embedding_dim"));
    c.embeddingL2 = paramDouble(p, "embedding_l2");
    c.l2Scope = paramString(p, "l2_scope");
    c.hiddenLayers = paramString(p, "hidden_layers");
    c.batchNorm = paramBool(p, "batch_norm");
    c.leakyAlpha = paramDouble(p, "leaky_alpha");
    c.dropout = paramDouble(p, "dropout");
    c.dropoutLayers = static_cast<int>(paramInt(p, "dropout_layers"));
    c.initOutputToMean = paramBool(p, "init_output_to_mean");
    c.foldInSteps = static_cast<int>(paramInt(p, "fold_in_steps"));
    c.foldInLr = paramDouble(p, "fold_in_lr");
    c.trainer = trainerConfigFrom(p);
    return std::make_unique<Dmf>(c);
  };
  registry.add(std::move(info));
}

void registerHybrid(Registry& registry, const std::string& head) {
  using T = ParamSpec::Type;
  const bool regression = head == "regression";
  HybridConfig d = HybridConfig::defaults();
  ModelInfo info;
  info.name = regression ? "hybrid_cnn_regressor" : "hybrid_cnn";
  info.displayName = regression ? "Hybrid CNN regressor (seed A, explicit)"
                                : "Hybrid CNN classifier (seed A, implicit)";
  info.task = regression ? Task::Rating : Task::Classification;
  info.description =
      std::string("Pretrained user / item embeddings (a LightFM-style or SVD run, frozen) through "
                  "Conv1D + global max pooling and their element-wise product, with the metadata "
                  "features of a feature configuration, into Dense 512-256-128-64 with L2, "
                  "BatchNorm and Dropout. ") +
      (regression ? "Linear output trained with MSE; reports RMSE / MAE / R^2 and the cold-start "
                    "breakdown."
                  : "Softmax over the event types trained with focal loss and class weights; "
                    "reports the classification report, confusion matrix, AUC and log loss.");
  info.params = {
      {"embeddings_run", T::Int, d.embeddingsRun, 0, 1e12, {},
       "run whose user / item embeddings initialise the tables (a LightFM-style, SVD or DMF "
       "run on the same dataset); 0 = learn them"},
      {"embedding_dim", T::Int, d.embeddingDim, 1, 4096, {}, "table size when learning them"},
      {"freeze_embeddings", T::Bool, d.freezeEmbeddings, {}, {}, {},
       "keep the pretrained tables fixed (seed A); off = fine-tune them"},
      {"conv_filters", T::Int, d.convFilters, 1, 4096, {}, "Conv1D filters over each embedding"},
      {"conv_kernel", T::Int, d.convKernel, 1, 512, {}, "Conv1D kernel size"},
      {"categorical_dim", T::Int, d.categoricalDim, 1, 512, {},
       "embedding size of each categorical metadata feature"},
      {"continuous_units", T::Int, d.continuousUnits, 1, 4096, {},
       "Dense units on the continuous features"},
      {"dense_layers", T::String, d.denseLayers, {}, {}, {}, "sizes of the dense stack"},
      {"dense_l2", T::Double, d.denseL2, 0.0, 10.0, {}, "L2 on every dense kernel (Keras kernel_regularizer)"},
      {"dropout", T::Double, d.dropout, 0.0, 0.95, {}, "dropout after each dense block"},
      {"wide_path", T::Bool, d.widePath, {}, {}, {},
       "add w.(p_u * q_i) (and b_u + b_i for the regressor, from the embeddings run when it has "
       "biases) to the output, so the regressor starts from the factor model's own prediction"},
      {"features", T::String, d.features, {}, {}, {},
       "metadata feature configuration file (JSON, docs/features.md); empty = the default for the "
       "dataset"},
  };
  if (!regression) {
    info.params.push_back({"focal_gamma", T::Double, d.focalGamma, 0.0, 20.0, {},
                           "focal loss focusing parameter (0 = cross-entropy)"});
    info.params.push_back({"focal_alpha", T::Double, d.focalAlpha, 1e-6, 100.0, {},
                           "focal loss scale alpha"});
    info.params.push_back({"class_weights", T::String, d.classWeights, {}, {}, {},
                           "balanced (n / (C n_c) from the training rows), none, or one weight "
                           "per event type, e.g. \"1,10,20\""});
  }
  addTrainerParams(info.params, HybridConfig::defaultTrainer());
  info.factory = [head](const nlohmann::json& p) {
    HybridConfig c;
    c.head = head;
    c.embeddingsRun = static_cast<int>(paramInt(p, "embeddings_run"));
    c.embeddingDim = static_cast<int>(paramInt(p, "embedding_dim"));
    c.freezeEmbeddings = paramBool(p, "freeze_embeddings");
    c.convFilters = static_cast<int>(paramInt(p, "conv_filters"));
    c.convKernel = static_cast<int>(paramInt(p, "conv_kernel"));
    c.categoricalDim = static_cast<int>(paramInt(p, "categorical_dim"));
    c.continuousUnits = static_cast<int>(paramInt(p, "continuous_units"));
    c.denseLayers = paramString(p, "dense_layers");
    c.denseL2 = paramDouble(p, "dense_l2");
    c.dropout = paramDouble(p, "dropout");
    c.widePath = paramBool(p, "wide_path");
    c.features = paramString(p, "features");
    if (p.contains("focal_gamma")) {
      c.focalGamma = paramDouble(p, "focal_gamma");
      c.focalAlpha = paramDouble(p, "focal_alpha");
      c.classWeights = paramString(p, "class_weights");
    }
    c.trainer = trainerConfigFrom(p);
    return std::make_unique<HybridCnn>(c);
  };
  registry.add(std::move(info));
}

}  // namespace

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
  registerDmf(registry);
  registerHybrid(registry, "classification");
  registerHybrid(registry, "regression");
  registerPurchaseModels(registry);
  registerSessionThesis(registry);
  registerSrgnn(registry);
  registerGru4Rec(registry);
}

}  // namespace reclab::models::neural
