#include "tests/integration/init/pidns.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/proc.h"

namespace arbor::testing {
namespace {

constexpr uid_t kNobody = 65534;

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

}  // namespace

std::string to_string(NsMode mode) {
  switch (mode) {
    case NsMode::pid:
      return "pid";
    case NsMode::user_root:
      return "user_root";
    case NsMode::user_nobody:
      return "user_nobody";
  }
  return "?";
}

NsLaunch ns_launch(NsMode mode) {
  NsLaunch out;
  const std::string unshare = find_program("unshare");
  if (unshare.empty()) return {{}, "util-linux unshare is not installed"};
  std::vector<std::string> prefix;
  if (mode == NsMode::user_nobody && geteuid() == 0) {
    const std::string setpriv = find_program("setpriv");
    if (setpriv.empty()) return {{}, "util-linux setpriv is not installed (needed to leave root)"};
    prefix = {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"};
    out.launch.owner = kNobody;
  }
  prefix.push_back(unshare);
  if (mode == NsMode::user_root) prefix.insert(prefix.end(), {"--user", "--map-root-user"});
  if (mode == NsMode::user_nobody) prefix.insert(prefix.end(), {"--user", "--map-current-user"});
  // --kill-child: if the launcher dies (a failed test kills it), so does arbord, and with
  // it the namespace.
  prefix.insert(prefix.end(), {"--pid", "--fork", "--mount-proc", "--kill-child"});
  std::vector<std::string> probe = prefix;
  probe.push_back("/bin/true");
  const RunResult r = run(probe, 10s);
  if (r.status != 0) {
    std::string argv;
    for (const auto& a : probe) argv += a + " ";
    return {{}, "cannot make the namespace (" + argv + "exited " + std::to_string(r.status) + "): " + r.err};
  }
  out.launch.prefix = std::move(prefix);
  return out;
}

std::optional<std::vector<NsProcess>> ns_processes(pid_t member) {
  const std::string proc = "/proc/" + std::to_string(member) + "/root/proc";
  DIR* dir = opendir(proc.c_str());
  if (dir == nullptr) return std::nullopt;
  std::vector<NsProcess> out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    std::ifstream status(proc + "/" + e->d_name + "/status");
    NsProcess p;
    p.pid = static_cast<pid_t>(pid);
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("Name:\t", 0) == 0) p.name = line.substr(6);
      if (line.rfind("State:\t", 0) == 0 && line.size() > 7) p.state = line[7];
    }
    if (p.state != '\0') out.push_back(p);
  }
  closedir(dir);
  std::sort(out.begin(), out.end(), [](const NsProcess& a, const NsProcess& b) { return a.pid < b.pid; });
  return out;
}

std::string describe(const std::vector<NsProcess>& processes) {
  std::ostringstream out;
  for (const auto& p : processes) out << p.pid << ":" << p.name << "(" << p.state << ") ";
  return out.str();
}

std::string pid_ns_of(pid_t pid) {
  char buf[64] = {};
  const std::string link = "/proc/" + std::to_string(pid) + "/ns/pid";
  if (readlink(link.c_str(), buf, sizeof buf - 1) < 0) return {};
  return buf;
}

std::vector<pid_t> processes_in(const std::string& ns) {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (pid_ns_of(static_cast<pid_t>(pid)) == ns) out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

}  // namespace arbor::testing
