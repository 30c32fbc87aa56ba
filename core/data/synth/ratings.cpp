#include "data/synth/ratings.h"

#include <algorithm>
#include <cmath>

#include "data/synth/config_check.h"
#include "data/synth/file_writer.h"
#include "data/synth/random.h"
#include "data/synth/vocabulary.h"

namespace reclab::synth {

namespace {

constexpr std::string_view kWhat = "synth ratings";
constexpr std::int64_t kFirstTimestamp = 874724710;  // the MovieLens-100k time range
constexpr std::int64_t kLastTimestamp = 893286638;
constexpr int kGenres = 18;  // the MovieLens genres minus "unknown"
constexpr double kKeywordSharpness = 4.0;

using Matrix = std::vector<double>;  // row-major

double dot(const double* a, const double* b, int n) {
  double s = 0.0;
  for (int k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

/// `count` x `rank` matrix of rounded N(0, sd^2) values.
Matrix gaussianMatrix(Rng& rng, std::int64_t count, int rank, double sd) {
  Matrix m(static_cast<std::size_t>(count) * static_cast<std::size_t>(rank));
  for (double& v : m) v = roundTo(rng.normal(0.0, sd), 4);
  return m;
}

/// `count` unit vectors of dimension `rank`, rounded.
Matrix unitVectors(Rng& rng, int count, int rank) {
  Matrix m(static_cast<std::size_t>(count) * static_cast<std::size_t>(rank));
  for (int g = 0; g < count; ++g) {
    double* v = m.data() + static_cast<std::size_t>(g) * rank;
    double norm = 0.0;
    for (int k = 0; k < rank; ++k) {
      v[k] = rng.normal();
      norm += v[k] * v[k];
    }
    norm = std::sqrt(std::max(norm, 1e-12));
    for (int k = 0; k < rank; ++k) v[k] = roundTo(v[k] / norm, 4);
  }
  return m;
}

nlohmann::json rowsToJson(const Matrix& m, std::int64_t rows, int rank) {
  nlohmann::json out = nlohmann::json::array();
  for (std::int64_t r = 0; r < rows; ++r) {
    auto begin = m.begin() + r * rank;
    out.push_back(std::vector<double>(begin, begin + rank));
  }
  return out;
}

/// UTF-8 (only U+0000..U+00FF expected) to Latin-1 bytes.
std::string utf8ToLatin1(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[++i]);
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (next & 0x3F)));
    } else {
      out.push_back('?');
    }
  }
  return out;
}

/// The IMDb URL of MovieLens-100k: spaces as %20, non-ASCII Latin-1 bytes as %XX.
std::string imdbUrl(const std::string& latin1Title) {
  static const char* hex = "0123456789ABCDEF";
  std::string url = "http://us.imdb.com/M/title-exact?";
  for (char ch : latin1Title) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c >= 0x80) {
      url += '%';
      url += hex[c >> 4];
      url += hex[c & 15];
    } else {
      url += ch;
    }
  }
  return url;
}

struct ItemMeta {
  std::string title;  // UTF-8
  int year = 1995;
  int genre = 0;  // index into kMovieLensGenres minus one
  std::vector<int> keywords;
};

ItemMeta makeItemMeta(Rng& rng, std::int64_t index, const double* factor, int rank,
                      const Matrix& genreProto, const Matrix& keywordProto,
                      const RatingsConfig& cfg) {
  namespace v = vocabulary;
  ItemMeta meta;
  double best = -1e300;
  for (int g = 0; g < kGenres; ++g) {
    const double s = dot(genreProto.data() + static_cast<std::size_t>(g) * rank, factor, rank);
    if (s > best) {
      best = s;
      meta.genre = g;
    }
  }
  // Keywords: weighted draws without replacement, weights from the cosine to the factor.
  const double norm = std::sqrt(std::max(dot(factor, factor, rank), 1e-12));
  std::vector<double> weight(v::kKeywords.size());
  for (std::size_t w = 0; w < weight.size(); ++w) {
    const double cosine = dot(keywordProto.data() + w * rank, factor, rank) / norm;
    weight[w] = std::exp(kKeywordSharpness * cosine);
  }
  const auto count = static_cast<int>(rng.between(cfg.minKeywords, cfg.maxKeywords));
  for (int n = 0; n < count; ++n) {
    double total = 0.0;
    for (double w : weight) total += w;
    double target = rng.uniform() * total;
    std::size_t pick = 0;
    for (; pick + 1 < weight.size(); ++pick) {
      target -= weight[pick];
      if (target < 0.0) break;
    }
    meta.keywords.push_back(static_cast<int>(pick));
    weight[pick] = 0.0;
  }
  // Title in the MovieLens style, e.g. "Golden River, The (1994)".
  meta.year = static_cast<int>(std::max(1922.0, 1998.0 - std::floor(rng.exponential(9.0))));
  const std::string_view adjective = v::kTitleAdjectives[rng.below(v::kTitleAdjectives.size())];
  std::string_view noun = v::kTitleNouns[rng.below(v::kTitleNouns.size())];
  const std::string_view noun2 = v::kTitleNouns[rng.below(v::kTitleNouns.size())];
  const double pattern = rng.uniform();
  if (index % 61 == 7) noun = v::kAccentedNouns[(index / 61) % v::kAccentedNouns.size()];
  std::string name;
  if (pattern < 0.25) {
    name = std::string(adjective) + " " + std::string(noun) + ", The";
  } else if (pattern < 0.7) {
    name = std::string(adjective) + " " + std::string(noun);
  } else if (pattern < 0.85) {
    name = std::string(noun) + " of the " + std::string(noun2);
  } else {
    name = std::string(noun);
  }
  meta.title = name + " (" + std::to_string(meta.year) + ")";
  return meta;
}

struct UserMeta {
  int age = 30;
  char gender = 'M';
  int occupation = 0;
  int zip = 10000;
};

UserMeta makeUserMeta(Rng& rng, const double* factor, int rank, double factorSd) {
  UserMeta u;
  const double z0 = factor[0] / factorSd;
  const double z1 = rank > 1 ? factor[1] / factorSd : 0.0;
  u.age =
      static_cast<int>(std::clamp(std::round(33.0 + 9.0 * z0 + rng.normal(0.0, 6.0)), 7.0, 73.0));
  u.gender = rng.bernoulli(sigmoid(0.9 + 0.8 * z1)) ? 'M' : 'F';
  const auto& occupations = vocabulary::kMovieLensOccupations;
  const auto indexOf = [&](std::string_view name) {
    return static_cast<int>(std::find(occupations.begin(), occupations.end(), name) -
                            occupations.begin());
  };
  if (u.age < 22 && rng.bernoulli(0.7)) {
    u.occupation = indexOf("student");
  } else if (u.age >= 60 && rng.bernoulli(0.5)) {
    u.occupation = indexOf("retired");
  } else {
    u.occupation = static_cast<int>(rng.below(occupations.size()));
  }
  u.zip = static_cast<int>(rng.between(1000, 99999));
  return u;
}

/// Draws `count` distinct items for one user by popularity (rejection on repeats, then a
/// uniform fill from the remaining items if the popular ones run out).
void drawItems(Rng& rng, const AliasTable& popularity, std::int64_t items, std::int64_t count,
               std::vector<std::uint32_t>& stamp, std::uint32_t userStamp,
               std::vector<std::int64_t>& out) {
  out.clear();
  std::int64_t attempts = 0;
  const std::int64_t maxAttempts = 10 * count + 100;
  while (static_cast<std::int64_t>(out.size()) < count && attempts++ < maxAttempts) {
    const std::size_t i = popularity.sample(rng);
    if (stamp[i] == userStamp) continue;
    stamp[i] = userStamp;
    out.push_back(static_cast<std::int64_t>(i));
  }
  if (static_cast<std::int64_t>(out.size()) < count) {
    std::vector<std::int64_t> rest;
    for (std::int64_t i = 0; i < items; ++i) {
      if (stamp[static_cast<std::size_t>(i)] != userStamp) rest.push_back(i);
    }
    rng.shuffle(rest);
    for (std::int64_t i : rest) {
      if (static_cast<std::int64_t>(out.size()) >= count) break;
      stamp[static_cast<std::size_t>(i)] = userStamp;
      out.push_back(i);
    }
  }
}

}  // namespace

void RatingsConfig::validate() const {
  check::positive(kWhat, "users", users);
  check::positive(kWhat, "items", items);
  if (users > 100'000'000) check::fail(kWhat, "users", "<= 100000000", users);
  if (items > 10'000'000) check::fail(kWhat, "items", "<= 10000000", items);
  check::inRange(kWhat, "rank", rank, 1, 256);
  check::positive(kWhat, "min_ratings_per_user", minRatingsPerUser);
  if (minRatingsPerUser > items) {
    check::fail(kWhat, "min_ratings_per_user", fmt::format("<= items ({})", items),
                minRatingsPerUser);
  }
  check::finite(kWhat, "ratings_per_user", ratingsPerUser);
  if (!(ratingsPerUser >= static_cast<double>(minRatingsPerUser))) {
    check::fail(kWhat, "ratings_per_user",
                fmt::format(">= min_ratings_per_user ({})", minRatingsPerUser), ratingsPerUser);
  }
  check::inRange(kWhat, "popularity_exponent", popularityExponent, 0.0, 5.0);
  check::inRange(kWhat, "global_mean", globalMean, 1.0, 5.0);
  check::inRange(kWhat, "user_bias_std", userBiasStd, 0.0, 5.0);
  check::inRange(kWhat, "item_bias_std", itemBiasStd, 0.0, 5.0);
  check::inRange(kWhat, "interaction_std", interactionStd, 0.0, 5.0);
  check::inRange(kWhat, "sigma", sigma, 0.0, 10.0);
  check::inRange(kWhat, "min_keywords", minKeywords, 1, 50);
  check::inRange(kWhat, "max_keywords", maxKeywords, minKeywords, 50);
}

nlohmann::json RatingsConfig::toJson() const {
  return {{"users", users},
          {"items", items},
          {"rank", rank},
          {"ratings_per_user", ratingsPerUser},
          {"min_ratings_per_user", minRatingsPerUser},
          {"popularity_exponent", popularityExponent},
          {"global_mean", globalMean},
          {"user_bias_std", userBiasStd},
          {"item_bias_std", itemBiasStd},
          {"interaction_std", interactionStd},
          {"sigma", sigma},
          {"min_keywords", minKeywords},
          {"max_keywords", maxKeywords},
          {"seed", seed}};
}

std::vector<std::string> ratingsFileNames() {
  return {"u.data", "u.item", "u.user", "items_meta.csv", "factors.json", "ground_truth.json"};
}

SynthResult generateRatings(const RatingsConfig& cfg, const std::string& outDir, Observer& observer,
                            const StopToken& stop) {
  cfg.validate();
  prepareOutputDir(kWhat, outDir, ratingsFileNames(), cfg.overwrite);
  SynthResult result;
  result.outDir = outDir;
  const int rank = cfg.rank;
  const double factorSd = std::sqrt(cfg.interactionStd / std::sqrt(static_cast<double>(rank)));

  // Planted parameters: each block from its own stream so sizes do not shift the others.
  Rng itemRng(mixSeed(cfg.seed, 1));
  const Matrix itemFactors = gaussianMatrix(itemRng, cfg.items, rank, factorSd);
  std::vector<double> itemBias(static_cast<std::size_t>(cfg.items));
  for (double& b : itemBias) b = roundTo(itemRng.normal(0.0, cfg.itemBiasStd), 4);
  std::vector<double> popularityWeights =
      zipfWeights(static_cast<std::size_t>(cfg.items), cfg.popularityExponent);
  itemRng.shuffle(popularityWeights);
  const AliasTable popularity(popularityWeights);

  Rng userRng(mixSeed(cfg.seed, 2));
  const Matrix userFactors = gaussianMatrix(userRng, cfg.users, rank, factorSd);
  std::vector<double> userBias(static_cast<std::size_t>(cfg.users));
  for (double& b : userBias) b = roundTo(userRng.normal(0.0, cfg.userBiasStd), 4);

  Rng metaRng(mixSeed(cfg.seed, 3));
  const Matrix genreProto = unitVectors(metaRng, kGenres, rank);
  const Matrix keywordProto =
      unitVectors(metaRng, static_cast<int>(vocabulary::kKeywords.size()), rank);

  // u.data, user by user.
  Rng ratingRng(mixSeed(cfg.seed, 4));
  ProgressTicker ticker(observer, stop, "synth ratings");
  FileWriter data(joinPath(outDir, "u.data"));
  std::vector<std::uint32_t> stamp(static_cast<std::size_t>(cfg.items), 0);
  std::vector<std::int64_t> chosen;
  std::vector<UserMeta> users(static_cast<std::size_t>(cfg.users));
  double sqError = 0.0, absError = 0.0, ratingSum = 0.0;
  std::int64_t ratingCounts[5] = {0, 0, 0, 0, 0};
  std::uint64_t rows = 0;
  const double tailMean = cfg.ratingsPerUser - static_cast<double>(cfg.minRatingsPerUser);
  for (std::int64_t u = 0; u < cfg.users; ++u) {
    const double* p = userFactors.data() + u * rank;
    users[static_cast<std::size_t>(u)] = makeUserMeta(ratingRng, p, rank, factorSd);
    const auto tail = static_cast<std::int64_t>(std::round(ratingRng.exponential(tailMean)));
    const std::int64_t count = std::min(cfg.items, cfg.minRatingsPerUser + tail);
    drawItems(ratingRng, popularity, cfg.items, count, stamp, static_cast<std::uint32_t>(u + 1),
              chosen);
    std::int64_t t = ratingRng.between(kFirstTimestamp, kLastTimestamp - 30 * 86400);
    for (std::int64_t i : chosen) {
      const double* q = itemFactors.data() + i * rank;
      const double expected = cfg.globalMean + userBias[static_cast<std::size_t>(u)] +
                              itemBias[static_cast<std::size_t>(i)] + dot(p, q, rank);
      const double noisy = expected + cfg.sigma * ratingRng.normal();
      const int rating = static_cast<int>(std::clamp(std::round(noisy), 1.0, 5.0));
      const double truth = std::clamp(expected, 1.0, 5.0);
      sqError += (rating - truth) * (rating - truth);
      absError += std::abs(rating - truth);
      ratingSum += rating;
      ++ratingCounts[rating - 1];
      data.writeInt(u + 1);
      data.put('\t');
      data.writeInt(i + 1);
      data.put('\t');
      data.writeInt(rating);
      data.put('\t');
      data.writeInt(t);
      data.put('\n');
      ++rows;
      const double gap = ratingRng.bernoulli(0.92) ? 5.0 + ratingRng.exponential(90.0)
                                                   : ratingRng.exponential(2.0 * 86400.0);
      t = std::min(kLastTimestamp, t + static_cast<std::int64_t>(gap));
    }
    ticker.update(rows, static_cast<double>(u + 1) / static_cast<double>(cfg.users));
  }
  data.close();
  result.files.push_back(data.path());
  result.bytes += data.bytesWritten();
  result.rows = rows;

  // u.item and items_meta.csv.
  FileWriter itemFile(joinPath(outDir, "u.item"));
  FileWriter metaFile(joinPath(outDir, "items_meta.csv"));
  metaFile.write("item,title,category,keywords\n");
  static const char* kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  nlohmann::json itemCategory = nlohmann::json::array();
  for (std::int64_t i = 0; i < cfg.items; ++i) {
    const ItemMeta meta = makeItemMeta(metaRng, i, itemFactors.data() + i * rank, rank, genreProto,
                                       keywordProto, cfg);
    const std::string_view genre = vocabulary::kMovieLensGenres[meta.genre + 1];
    itemCategory.push_back(genre);
    const std::string latin1 = utf8ToLatin1(meta.title);
    itemFile.writeInt(i + 1);
    itemFile.put('|');
    itemFile.write(latin1);
    itemFile.put('|');
    const auto day = metaRng.between(1, 28);
    const auto month = metaRng.below(12);
    if (day < 10) itemFile.put('0');
    itemFile.writeInt(day);
    itemFile.put('-');
    itemFile.write(kMonths[month]);
    itemFile.put('-');
    itemFile.writeInt(meta.year);
    itemFile.write("||");
    itemFile.write(imdbUrl(latin1));
    for (int g = 0; g < 19; ++g) itemFile.write(g == meta.genre + 1 ? "|1" : "|0");
    itemFile.put('\n');

    metaFile.writeInt(i + 1);
    metaFile.put(',');
    metaFile.writeCsvField(meta.title);
    metaFile.put(',');
    metaFile.writeCsvField(genre);
    metaFile.put(',');
    std::string keywords;
    for (std::size_t k = 0; k < meta.keywords.size(); ++k) {
      if (k > 0) keywords += ';';
      keywords += vocabulary::kKeywords[static_cast<std::size_t>(meta.keywords[k])];
    }
    metaFile.writeCsvField(keywords);
    metaFile.put('\n');
    if ((i & 1023) == 0) stop.throwIfStopped();
  }
  itemFile.close();
  metaFile.close();
  result.files.push_back(itemFile.path());
  result.files.push_back(metaFile.path());
  result.bytes += itemFile.bytesWritten() + metaFile.bytesWritten();

  FileWriter userFile(joinPath(outDir, "u.user"));
  for (std::size_t u = 0; u < users.size(); ++u) {
    userFile.writeInt(static_cast<std::int64_t>(u + 1));
    userFile.put('|');
    userFile.writeInt(users[u].age);
    userFile.put('|');
    userFile.put(users[u].gender);
    userFile.put('|');
    userFile.write(
        vocabulary::kMovieLensOccupations[static_cast<std::size_t>(users[u].occupation)]);
    userFile.put('|');
    const std::string zip = std::to_string(users[u].zip);
    userFile.write(std::string(5 - std::min<std::size_t>(5, zip.size()), '0') + zip);
    userFile.put('\n');
  }
  userFile.close();
  result.files.push_back(userFile.path());
  result.bytes += userFile.bytesWritten();

  nlohmann::json prototypes = nlohmann::json::object();
  for (int g = 0; g < kGenres; ++g) {
    auto begin = genreProto.begin() + g * rank;
    prototypes[std::string(vocabulary::kMovieLensGenres[g + 1])] =
        std::vector<double>(begin, begin + rank);
  }
  const nlohmann::json factors = {
      {"global_mean", cfg.globalMean},
      {"user_bias", userBias},
      {"item_bias", itemBias},
      {"user_factors", rowsToJson(userFactors, cfg.users, rank)},
      {"item_factors", rowsToJson(itemFactors, cfg.items, rank)},
      {"genre_prototypes", prototypes},
      {"note", "index k holds id k+1; r* = global_mean + user_bias + item_bias + dot(user, item)"}};
  const std::string factorsPath = joinPath(outDir, "factors.json");
  result.bytes += writeJsonFile(factorsPath, factors);
  result.files.push_back(factorsPath);

  nlohmann::json categories = nlohmann::json::array();
  for (int g = 1; g <= kGenres; ++g) categories.push_back(vocabulary::kMovieLensGenres[g]);
  const double n = static_cast<double>(std::max<std::uint64_t>(rows, 1));
  nlohmann::json fileNames = ratingsFileNames();
  const nlohmann::json truth = {
      {"kind", "ratings"},
      {"seed", cfg.seed},
      {"config", cfg.toJson()},
      {"rank", rank},
      {"sigma", cfg.sigma},
      {"global_mean", cfg.globalMean},
      {"noise_floor_rmse", std::sqrt(sqError / n)},
      {"noise_floor_mae", absError / n},
      {"ratings", rows},
      {"mean_rating", ratingSum / n},
      {"rating_counts", std::vector<std::int64_t>(ratingCounts, ratingCounts + 5)},
      {"categories", categories},
      {"item_category", itemCategory},
      {"user_age_factor", 0},
      {"files", fileNames}};
  const std::string truthPath = joinPath(outDir, "ground_truth.json");
  result.bytes += writeJsonFile(truthPath, truth);
  result.files.push_back(truthPath);
  ticker.finish();
  observer.onLog(LogLevel::Info,
                 fmt::format("synth ratings: {} ratings by {} users on {} items, noise floor "
                             "RMSE {:.4f}",
                             rows, cfg.users, cfg.items, std::sqrt(sqError / n)));
  return result;
}

}  // namespace reclab::synth
