#include "store/process_owner.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fstream>
#include <sstream>

namespace reclab::store {

namespace {

std::string bootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

/// Field 22 (starttime) of /proc/<pid>/stat. The command name (field 2) is in parentheses and may
/// contain spaces, so counting starts after the last ')'.
std::string startTicks(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int number = 3; number <= 22; ++number) {
    if (!(fields >> field)) return {};
  }
  return field;
}

std::string hostName() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return {};
  return buffer;
}

}  // namespace

std::string processStartId(std::int64_t pid) {
  if (pid <= 0 || pid > INT_MAX) return {};
  const std::string ticks = startTicks(pid);
  if (ticks.empty()) return {};
  return bootId() + ":" + ticks;
}

ProcessOwner ProcessOwner::current() {
  ProcessOwner self;
  self.pid = static_cast<std::int64_t>(getpid());
  self.startId = processStartId(self.pid);
  self.host = hostName();
  return self;
}

bool ownerIsGone(const ProcessOwner& owner) {
  static const std::string thisHost = hostName();
  if (!owner.host.empty() && owner.host != thisHost) return false;
  // pid 0 and negative pids would address process groups in kill(); no run has such an owner.
  if (owner.pid <= 0 || owner.pid > INT_MAX) return true;
  if (kill(static_cast<pid_t>(owner.pid), 0) != 0 && errno == ESRCH) return true;
  if (owner.startId.empty()) return false;  // recorded without /proc: the pid is all we know
  const std::string now = processStartId(owner.pid);
  return !now.empty() && now != owner.startId;
}

}  // namespace reclab::store
