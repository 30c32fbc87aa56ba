#pragma once
/// The training data of the thesis' top-k models (SPEC B Problem 2, seed 001 sections 3.4.2 and
/// 4.4.1), without LibTorch: the NORM.FNN / NORM.GNN samples, the graph the GNNs read (G, H and
/// K in one CSR), the NORM.GNN.Bin candidate sampling and the test-time candidates of the binary
/// models. session_thesis.cpp turns these into tensors.
///
/// NORM.FNN / NORM.GNN (Algorithms 3.1 and 3.2): a session s = (id1, ..., idc) is padded at the
/// end with None clicks until it has 5 clicks; input x = its first 4 clicks, labels Z = the
/// clicks id5..idc' (duplicates once). A session of 5 or more clicks has labels Z = its later
/// items; a session of 1-4 clicks has Z = {None}: the seed pads and keeps these sessions, so the
/// multi-label models get one extra output "None" (the session ends) and such a session's
/// label is that output alone. `keepShort = false` drops them instead.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/session_sequences.h"

namespace reclab::features {
class SessionGraphs;
}

namespace reclab::models::neural {

/// NORM.FNN / NORM.GNN samples: inputs[s * inputLength + i] = click i of sample s (noneId for a
/// padding None); labels of sample s = labels[labelOffsets[s] .. labelOffsets[s + 1]), distinct
/// and ascending (noneId for a short session's None label).
struct ThesisSamples {
  int inputLength = 4;
  std::vector<std::int32_t> inputs;
  std::vector<std::uint32_t> labelOffsets{0};
  std::vector<std::int32_t> labels;

  std::size_t size() const { return labelOffsets.size() - 1; }
  std::span<const std::int32_t> input(std::size_t s) const {
    return {inputs.data() + s * static_cast<std::size_t>(inputLength),
            static_cast<std::size_t>(inputLength)};
  }
  std::span<const std::int32_t> label(std::size_t s) const {
    return {labels.data() + labelOffsets[s], labelOffsets[s + 1] - labelOffsets[s]};
  }
};

/// Builds the samples of every session of `sessions` (rules above). Items outside
/// [0, noneId) are read as None.
ThesisSamples buildThesisSamples(const data::SessionSequences& sessions, int inputLength,
                                 std::int32_t noneId, bool keepShort);

/// The model input of a scoring prefix: its LAST `inputLength` clicks, oldest first, padded on
/// the left with noneId when the prefix is shorter (so the latest click always sits in the
/// last slot, the slot whose successors the models learn as id5). Items outside [0, noneId)
/// become None. For the thesis protocol (exactly the first 4 clicks) this is the prefix itself.
void prefixInput(std::span<const std::int32_t> prefix, int inputLength, std::int32_t noneId,
                 std::span<std::int32_t> out);

/// The graphs G, H and K of the training sessions in one CSR with H's pattern (the union of K's
/// channels): entry e of row i is the edge i -> columns[e] with its P channel counts
/// channels[e * P + p - 1] = M_K[i, j][p]. G = channel 1 (entries where it is > 0), H = the sum
/// of the channels. What the GNN models read and what their checkpoints store.
struct ThesisGraph {
  std::int32_t numItems = 0;
  int numChannels = 0;                ///< P
  std::vector<std::int64_t> offsets;  ///< numItems + 1
  std::vector<std::int32_t> columns;  ///< per entry, ascending within a row
  std::vector<float> channels;        ///< per entry, P values
  std::vector<float> rowTotals;       ///< per item: the sum of its H row

  static ThesisGraph fromSessionGraphs(const features::SessionGraphs& graphs);
  /// Checks the arrays' sizes and ranges; throws InputError("<what>: ...") when inconsistent.
  void validate(const char* what) const;

  std::size_t numEdges() const { return columns.size(); }
  /// H weight of entry e.
  float total(std::size_t e) const;
  /// The entry of edge from -> to, or -1 when absent (binary search).
  std::int64_t find(std::int32_t from, std::int32_t to) const;
  /// M_K[from, to] into out (P floats; zeros when absent or `from` is out of range).
  void edge(std::int32_t from, std::int32_t to, std::span<float> out) const;
  /// The `k` items with the largest summed H weight from the valid items of `clicks` (a click
  /// listed twice counts twice); equal sums by ascending item index.
  std::vector<std::int32_t> topNeighbours(std::span<const std::int32_t> clicks, int k) const;
};

/// How GNN.Bin.K reads an edge vector M_K[id_i, o]: "l1" divides it by id_i's H row total (the
/// share of id_i's later clicks that were o at each distance), "log1p" takes log(1 + count),
/// "none" keeps the counts.
void normaliseEdge(std::span<float> edge, float rowTotal, const std::string& mode);

/// NORM.GNN.Bin settings (Algorithm 4.1).
struct CandidateSampling {
  int perSession = 10;             ///< n_id*: candidates per session
  double maxPositiveShare = 0.5;   ///< at most this share of them are true later clicks
  bool weightedNegatives = false;  ///< negatives drawn by edge weight (else uniformly)
};

/// Binary samples: the input of the session, a candidate and whether it is a later click.
struct BinarySamples {
  int inputLength = 4;
  std::vector<std::int32_t> inputs;      ///< size() * inputLength
  std::vector<std::int32_t> candidates;  ///< per sample
  std::vector<std::int32_t> labels;      ///< per sample: 1 = among id5..idc, 0 = not
  std::size_t size() const { return candidates.size(); }
};

/// NORM.GNN.Bin: for each sample of `samples`, up to perSession candidates among the H
/// neighbours of its (non-None) input clicks. Preferred first: the true later clicks Z that are
/// neighbours (all of Z for a training session), shuffled, at most
/// max(1, floor(maxPositiveShare * perSession)) of them; the rest are negatives: a random input
/// click, then one of its neighbours (by edge weight or uniformly) that is not in Z and not
/// chosen yet (up to 20 draws per missing negative). A short session (Z = {None}) gets
/// negatives only; a sample whose clicks have no neighbour gets no candidate. Seeded.
BinarySamples sampleCandidates(const ThesisSamples& samples, const ThesisGraph& graph,
                               const CandidateSampling& config, std::uint64_t seed);

}  // namespace reclab::models::neural
