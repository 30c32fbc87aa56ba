#include "common/errors.h"

#include <fmt/format.h>

namespace reclab {

std::string formatLocated(const SourceLocation& where, const std::string& reason) {
  std::string out = where.file;
  if (where.line > 0) out += fmt::format(":{}", where.line);
  if (!out.empty()) out += ": ";
  if (!where.field.empty()) out += fmt::format("field '{}': ", where.field);
  out += reason;
  return out;
}

}  // namespace reclab
