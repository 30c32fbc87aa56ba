/// Full-ranking evaluation throughput against this machine's Eigen GEMM rate.
///
///   bench_ranking [--users N] [--items N] [--factors K] [--threads T]
///
/// A factor model (random user and item factors) scores every item for every user; the
/// evaluator adds masking of training items, a bounded-heap top-k and the metrics. The GEMM
/// reference computes the same users x items score matrix with one Eigen product per batch and
/// does nothing else. Reported: user x item scores per second for both and their ratio
/// (target >= 70%).

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "eval/ranking_evaluator.h"

namespace {

using reclab::models::ScoreMatrix;

class FactorModel : public reclab::models::Recommender {
 public:
  FactorModel(int users, int items, int k, std::uint64_t seed) : m_p(users, k), m_q(items, k) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n01(0, 1);
    for (Eigen::Index i = 0; i < m_p.size(); ++i) m_p.data()[i] = n01(rng);
    for (Eigen::Index i = 0; i < m_q.size(); ++i) m_q.data()[i] = n01(rng);
  }
  std::string name() const override { return "factors"; }
  reclab::models::Task task() const override { return reclab::models::Task::Ranking; }
  void fit(const reclab::models::TrainContext&) override {}
  void save(const std::string&) const override {}
  void load(const std::string&) override {}
  std::int32_t numItems() const override { return static_cast<std::int32_t>(m_q.rows()); }
  void scoreUsers(const std::vector<std::int32_t>& users, ScoreMatrix& out) const override {
    Eigen::MatrixXf pu(static_cast<Eigen::Index>(users.size()), m_p.cols());
    for (std::size_t j = 0; j < users.size(); ++j)
      pu.row(static_cast<Eigen::Index>(j)) = m_p.row(users[j]);
    out.noalias() = pu * m_q.transpose();
  }
  const Eigen::MatrixXf& p() const { return m_p; }
  const Eigen::MatrixXf& q() const { return m_q; }

 private:
  Eigen::MatrixXf m_p, m_q;
};

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int users = 6040, items = 3700, k = 100, threads = 2;
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string key = argv[a];
    const int v = std::atoi(argv[a + 1]);
    if (key == "--users") users = v;
    else if (key == "--items") items = v;
    else if (key == "--factors") k = v;
    else if (key == "--threads") threads = v;
  }
  Eigen::setNbThreads(threads);
  FactorModel model(users, items, k, 1);

  // A log with 20 training and 5 test interactions per user.
  reclab::data::InteractionLog log;
  for (int u = 0; u < users; ++u) log.users.internInt(u);
  for (int i = 0; i < items; ++i) log.items.internInt(i);
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> item(0, items - 1);
  std::vector<std::uint32_t> train, test;
  for (int u = 0; u < users; ++u) {
    for (int j = 0; j < 25; ++j) {
      (j < 20 ? train : test).push_back(static_cast<std::uint32_t>(log.item.size()));
      log.user.push_back(u);
      log.item.push_back(item(rng));
    }
  }

  const double cells = static_cast<double>(users) * items;
  // Reference: the same score matrix, batch by batch, nothing else.
  const int batch = 256;
  ScoreMatrix scores;
  double checksum = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int rep = 0; rep < 3; ++rep) {
    for (int lo = 0; lo < users; lo += batch) {
      std::vector<std::int32_t> b;
      for (int u = lo; u < std::min(users, lo + batch); ++u) b.push_back(u);
      model.scoreUsers(b, scores);
      checksum += scores(0, 0);
    }
  }
  const double gemmRate = 3 * cells / seconds(t0);

  reclab::eval::RankingOptions opt;
  opt.ks = {1, 5, 10, 20};
  opt.threads = threads;
  opt.batchSize = batch;
  reclab::StopToken stop;
  t0 = std::chrono::steady_clock::now();
  reclab::eval::RankingResult result;
  for (int rep = 0; rep < 3; ++rep) {
    result = reclab::eval::evaluateRanking(model, log, train, test, opt, reclab::nullObserver(),
                                           stop);
  }
  const double evalRate = 3 * cells / seconds(t0);

  std::printf("users x items      %d x %d, %d factors, %d threads\n", users, items, k, threads);
  std::printf("GEMM scores        %.1f M user-item scores/s (%.1f GFLOP/s) [checksum %.3g]\n",
              gemmRate / 1e6, gemmRate * 2.0 * k / 1e9, checksum);
  std::printf("full-ranking eval  %.1f M user-item scores/s (mask + top-20 + 20 metrics)\n",
              evalRate / 1e6);
  std::printf("ratio              %.0f%% of GEMM (target >= 70%%)\n", 100.0 * evalRate / gemmRate);
  std::printf("recall@10          %.4f (random factors: about chance)\n",
              result.means.at("recall@10"));
  return 0;
}
