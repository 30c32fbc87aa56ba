#include "experiment/preset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/errors.h"

namespace reclab::experiment {

namespace fs = std::filesystem;

Preset loadPreset(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open preset");
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw InputError(path + ": not valid JSON");
  if (!j.is_object() || !j.contains("runs") || !j.at("runs").is_array() || j.at("runs").empty()) {
    throw InputError(path + ": a preset needs a non-empty 'runs' array of experiment configs");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "title" && key != "source" && key != "runs") {
      throw InputError(path + ": '" + key + "' is not a known key (known: title, source, runs)");
    }
  }
  Preset p;
  p.title = j.value("title", fs::path(path).stem().string());
  p.source = j.value("source", "");
  auto base = fs::path(path).parent_path().string();
  if (base.empty()) base = ".";
  const auto& runs = j.at("runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    try {
      auto run = runs[i];
      std::string from;
      if (run.is_object() && run.contains("embeddings_from")) {
        if (!run.at("embeddings_from").is_string()) throw InputError("embeddings_from: must be a run name");
        from = run.at("embeddings_from").get<std::string>();
        run.erase("embeddings_from");
        const bool earlier = std::any_of(p.runs.begin(), p.runs.end(),
                                         [&](const ExperimentConfig& c) { return c.name == from; });
        if (!earlier) {
          throw InputError("embeddings_from: '" + from + "' is not the name of an earlier run of the preset");
        }
      }
      p.runs.push_back(ExperimentConfig::fromJson(run, base));
      p.embeddingsFrom.push_back(from);
    } catch (const InputError& e) {
      throw InputError(path + ": runs[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return p;
}

ExperimentConfig Preset::resolved(std::size_t i,
                                  const std::map<std::string, std::int64_t>& idsByName) const {
  ExperimentConfig c = runs.at(i);
  if (i < embeddingsFrom.size() && !embeddingsFrom[i].empty()) {
    auto it = idsByName.find(embeddingsFrom[i]);
    if (it == idsByName.end() || it->second <= 0) {
      throw InputError("'" + c.name + "' starts from the embeddings of '" + embeddingsFrom[i] +
                       "', which has not finished");
    }
    c.model.params["embeddings_run"] = it->second;
  }
  return c;
}

std::vector<std::pair<std::string, Preset>> listPresets(const std::string& dir,
                                                        std::vector<std::string>* errors) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, Preset>> out;
  for (const auto& f : files) {
    try {
      out.emplace_back(f, loadPreset(f));
    } catch (const InputError& e) {
      if (errors) errors->push_back(e.what());
    }
  }
  return out;
}

}  // namespace reclab::experiment
