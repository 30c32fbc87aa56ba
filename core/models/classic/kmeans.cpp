#include "models/classic/kmeans.h"

#include <algorithm>
#include <limits>
#include <map>
#include <random>

#include "common/binary_io.h"
#include "common/errors.h"

namespace reclab::models {

void KMeansConfig::validate(Eigen::Index rows) const {
  if (k <= 0) throw InputError("kmeans: k must be > 0, got " + std::to_string(k));
  if (maxIter <= 0) throw InputError("kmeans: max_iter must be > 0, got " + std::to_string(maxIter));
  if (nInit <= 0) throw InputError("kmeans: n_init must be > 0, got " + std::to_string(nInit));
  if (rows < k)
    throw InputError("kmeans: k (" + std::to_string(k) + ") exceeds the number of points (" +
                     std::to_string(rows) + ")");
}

namespace {

using MatD = Eigen::MatrixXd;

/// Squared distance of every point to every centre: |x|^2 - 2 x.c + |c|^2.
void distances(const MatD& x, const Eigen::VectorXd& xn, const MatD& c, MatD& d) {
  d = (-2.0 * x * c.transpose()).rowwise() + c.rowwise().squaredNorm().transpose();
  d.colwise() += xn;
}

MatD seedPlusPlus(const MatD& x, const Eigen::VectorXd& xn, int k, std::mt19937_64& rng) {
  const Eigen::Index n = x.rows();
  MatD c(k, x.cols());
  std::uniform_int_distribution<Eigen::Index> pick(0, n - 1);
  c.row(0) = x.row(pick(rng));
  Eigen::VectorXd best = ((x.rowwise() - c.row(0)).rowwise().squaredNorm());
  for (int m = 1; m < k; ++m) {
    const double total = best.sum();
    Eigen::Index chosen = 0;
    if (total <= 0) {
      chosen = pick(rng);
    } else {
      std::uniform_real_distribution<double> u(0.0, total);
      double r = u(rng), acc = 0;
      chosen = n - 1;
      for (Eigen::Index i = 0; i < n; ++i) {
        acc += best(i);
        if (acc >= r && best(i) > 0) { chosen = i; break; }
      }
    }
    c.row(m) = x.row(chosen);
    best = best.cwiseMin((x.rowwise() - c.row(m)).rowwise().squaredNorm());
  }
  (void)xn;
  return c;
}

}  // namespace

KMeansResult kmeans(const Eigen::MatrixXf& data, const KMeansConfig& config,
                    const StopToken* stop) {
  config.validate(data.rows());
  const MatD x = data.cast<double>();
  const Eigen::VectorXd xn = x.rowwise().squaredNorm();
  const Eigen::Index n = x.rows();
  const int k = config.k;
  KMeansResult best;
  best.inertia = std::numeric_limits<double>::infinity();
  MatD d;
  for (int run = 0; run < config.nInit; ++run) {
    std::mt19937_64 rng(config.seed + static_cast<std::uint64_t>(run));
    MatD c = seedPlusPlus(x, xn, k, rng);
    std::vector<int> assign(static_cast<std::size_t>(n), -1);
    Eigen::VectorXd dist(n);
    int it = 0;
    for (; it < config.maxIter; ++it) {
      if (stop) stop->throwIfStopped();
      distances(x, xn, c, d);
      bool changed = false;
      for (Eigen::Index i = 0; i < n; ++i) {
        Eigen::Index arg;
        dist(i) = std::max(0.0, d.row(i).minCoeff(&arg));
        if (assign[static_cast<std::size_t>(i)] != static_cast<int>(arg)) {
          assign[static_cast<std::size_t>(i)] = static_cast<int>(arg);
          changed = true;
        }
      }
      if (!changed && it > 0) break;
      MatD sum = MatD::Zero(k, x.cols());
      std::vector<std::int64_t> cnt(static_cast<std::size_t>(k), 0);
      for (Eigen::Index i = 0; i < n; ++i) {
        sum.row(assign[static_cast<std::size_t>(i)]) += x.row(i);
        ++cnt[static_cast<std::size_t>(assign[static_cast<std::size_t>(i)])];
      }
      for (int m = 0; m < k; ++m) {
        if (cnt[static_cast<std::size_t>(m)] > 0) {
          c.row(m) = sum.row(m) / static_cast<double>(cnt[static_cast<std::size_t>(m)]);
        } else {  // re-seed an empty cluster with the worst-served point
          Eigen::Index far;
          dist.maxCoeff(&far);
          c.row(m) = x.row(far);
          dist(far) = 0;
          assign[static_cast<std::size_t>(far)] = -1;  // forces another iteration
        }
      }
    }
    // Final assignment against the final centres.
    distances(x, xn, c, d);
    KMeansResult r;
    r.assignments.resize(static_cast<std::size_t>(n));
    r.sizes.assign(static_cast<std::size_t>(k), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Index arg;
      r.inertia += std::max(0.0, d.row(i).minCoeff(&arg));
      r.assignments[static_cast<std::size_t>(i)] = static_cast<int>(arg);
      ++r.sizes[static_cast<std::size_t>(arg)];
    }
    r.centroids = c.cast<float>();
    r.iterations = it;
    if (r.inertia < best.inertia) best = std::move(r);
  }
  return best;
}

void saveKMeans(const KMeansResult& result, const std::string& path) {
  BinaryWriter w(path, "reclab.kmeans", 1);
  std::vector<std::int32_t> a(result.assignments.begin(), result.assignments.end());
  w.writeVector(a);
  w.writeVector(result.sizes);
  w.write<std::int64_t>(result.centroids.rows());
  w.write<std::int64_t>(result.centroids.cols());
  std::vector<float> c(result.centroids.data(), result.centroids.data() + result.centroids.size());
  w.writeVector(c);
  w.write<double>(result.inertia);
  w.write<std::int32_t>(result.iterations);
  w.close();
}

KMeansResult loadKMeans(const std::string& path) {
  BinaryReader r(path, "reclab.kmeans", 1);
  KMeansResult out;
  auto a = r.readVector<std::int32_t>();
  out.assignments.assign(a.begin(), a.end());
  out.sizes = r.readVector<std::int64_t>();
  const auto rows = r.read<std::int64_t>();
  const auto cols = r.read<std::int64_t>();
  auto c = r.readVector<float>();
  if (rows < 0 || cols < 0 || static_cast<std::int64_t>(c.size()) != rows * cols)
    throw InputError(path + ": inconsistent centroid matrix");
  out.centroids = Eigen::Map<Eigen::MatrixXf>(c.data(), rows, cols);
  out.inertia = r.read<double>();
  out.iterations = r.read<std::int32_t>();
  return out;
}

double adjustedRandIndex(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != b.size())
    throw InputError("adjusted Rand index: labelings differ in size (" + std::to_string(a.size()) +
                     " vs " + std::to_string(b.size()) + ")");
  auto c2 = [](double v) { return v * (v - 1.0) / 2.0; };
  std::map<std::pair<int, int>, double> cells;
  std::map<int, double> rows, cols;
  for (std::size_t i = 0; i < a.size(); ++i) {
    cells[{a[i], b[i]}] += 1;
    rows[a[i]] += 1;
    cols[b[i]] += 1;
  }
  double index = 0, sa = 0, sb = 0;
  for (const auto& [key, v] : cells) index += c2(v);
  for (const auto& [key, v] : rows) sa += c2(v);
  for (const auto& [key, v] : cols) sb += c2(v);
  const double total = c2(static_cast<double>(a.size()));
  const double expected = total > 0 ? sa * sb / total : 0.0;
  const double maxIndex = (sa + sb) / 2.0;
  if (maxIndex == expected) return 1.0;
  return (index - expected) / (maxIndex - expected);
}

}  // namespace reclab::models
