#include "data/synth/output.h"

#include <filesystem>
#include <system_error>

#include "common/errors.h"
#include "data/synth/file_writer.h"

namespace reclab::synth {

namespace fs = std::filesystem;

std::string joinPath(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

void prepareOutputDir(std::string_view what, const std::string& outDir,
                      const std::vector<std::string>& fileNames, bool overwrite) {
  const std::string prefix = std::string(what) + ": ";
  if (outDir.empty()) throw InputError(prefix + "output directory is empty");
  std::error_code ec;
  const fs::path dir(outDir);
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      throw InputError(prefix + outDir + ": exists and is not a directory");
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) throw InputError(prefix + outDir + ": cannot create directory: " + ec.message());
  }
  if (overwrite) return;
  for (const std::string& name : fileNames) {
    const fs::path file = dir / name;
    if (fs::exists(file, ec)) {
      throw InputError(prefix + file.string() +
                       ": already exists (set 'overwrite' to replace the generated files)");
    }
  }
}

std::uint64_t writeJsonFile(const std::string& path, const nlohmann::json& object) {
  FileWriter out(path);
  out.write("{\n");
  bool first = true;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!first) out.write(",\n");
    first = false;
    out.write("  ");
    out.write(nlohmann::json(it.key()).dump());
    out.write(": ");
    out.write(it.value().dump());
  }
  out.write("\n}\n");
  out.close();
  return out.bytesWritten();
}

}  // namespace reclab::synth
