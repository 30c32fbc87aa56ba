#pragma once
/// Which process owns a running run, and whether that process still exists.
///
/// A process is identified by its pid, its start time (field 22 of /proc/<pid>/stat, prefixed with
/// the kernel boot id so a pid reused after a reboot does not match) and the host name. Used by the
/// store to tell a run left "running" by a crashed process from one that another live process (the
/// GUI and the CLI sharing a file) is still writing.

#include <cstdint>
#include <string>

namespace reclab::store {

struct ProcessOwner {
  std::int64_t pid = 0;
  std::string startId;  ///< "<boot id>:<start ticks>"; empty when /proc is unavailable
  std::string host;

  /// The calling process.
  static ProcessOwner current();
};

/// Start identifier of process `pid` ("<boot id>:<start ticks>"), or empty when unknown.
std::string processStartId(std::int64_t pid);

/// True only when the owner certainly no longer exists: it ran on this host and either no process
/// has its pid, or the process with that pid started at another time. An owner on another host is
/// never declared gone; an owner with no valid pid on this host always is.
bool ownerIsGone(const ProcessOwner& owner);

}  // namespace reclab::store
