#pragma once
/// Error types shared by every core module.
///
/// `InputError` is bad input from the user (a file, a config, a command-line value): the CLI
/// maps it to exit code 2 and the GUI shows its message in the message bar. Anything else
/// thrown from core is an internal error (exit code 1).

#include <cstdint>
#include <stdexcept>
#include <string>

namespace reclab {

/// Bad input from the user. The message is complete and user-facing, e.g.
/// "events.csv:17: field 'timestamp': not an integer: '12a4'".
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown by long work when its StopToken was triggered; callers store the run as cancelled.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

/// Thrown when training produced a non-finite loss. The model has been put back to its last
/// good weights before the throw, so the caller can still store it; the message says when it
/// happened and which weights were kept.
class TrainingDiverged : public std::runtime_error {
 public:
  explicit TrainingDiverged(const std::string& message) : std::runtime_error(message) {}
};

/// Where in a user file a problem is: "path:line: field 'name': reason".
struct SourceLocation {
  std::string file;
  std::uint64_t line = 0;  ///< 1-based; 0 when the problem is not tied to a line
  std::string field;       ///< empty when the problem is not tied to a field
};

/// Formats "file:line: field 'f': reason" leaving out the parts that are empty.
std::string formatLocated(const SourceLocation& where, const std::string& reason);

}  // namespace reclab
