// arbord: flags and exit statuses (SPEC §4); everything else lives in App.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/load.h"
#include "daemon/app/app.h"
#include "daemon/host/group_record.h"

namespace {

constexpr const char* kUsage =
    "usage: arbord [--config PATH] [--socket PATH] [--log-level LEVEL] [--check]\n"
    "  --config PATH      the tree to run (default /etc/arbor/arbor.json)\n"
    "  --socket PATH      the control socket (default: \"socket\" of the config)\n"
    "  --log-level LEVEL  trace, debug, info (default), warn, error or off\n"
    "  --check            validate the config, print ok or its errors, start nothing\n"
    "  --version          print the version\n";

struct Flags {
  std::string config = "/etc/arbor/arbor.json";
  std::string socket;
  std::string log_level = "info";
  bool check = false;
};

// Descriptors 0-2 must exist: otherwise the first pipe or socket arbord opens would take
// one of those numbers, and a worker with "inherit" output would write into it.
void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) == -1) {
      const int null = open("/dev/null", O_RDWR);
      if (null >= 0 && null != fd) {
        dup2(null, fd);
        close(null);
      }
    }
  }
}

// Each worker costs arbord a pidfd and a log pipe: use all the descriptors we may have.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "arbord: %s\n%s", message.c_str(), kUsage);
  return arbor::app::exit_bad_config;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_standard_fds();
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("arbord %s\n", ARBOR_VERSION);
      return 0;
    } else if (arg == "--check") {
      flags.check = true;
    } else if (arg == "--config" || arg == "--socket" || arg == "--log-level") {
      const char* v = value(arg.c_str());
      if (v == nullptr) return usage_error(arg + " needs a value");
      (arg == "--config" ? flags.config : arg == "--socket" ? flags.socket : flags.log_level) = v;
    } else {
      return usage_error("unknown argument: " + arg);
    }
  }

  auto level = spdlog::level::from_str(flags.log_level);
  if (level == spdlog::level::off && flags.log_level != "off") {
    return usage_error("--log-level: expected trace, debug, info, warn, error or off, got \"" + flags.log_level +
                       "\"");
  }

  arbor::config::LoadResult loaded = arbor::config::load_file(flags.config);
  if (flags.check) {
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", to_string(w).c_str());
    if (!loaded.errors.empty()) {
      for (const auto& e : loaded.errors) std::printf("%s\n", to_string(e).c_str());
      return arbor::app::exit_bad_config;
    }
    std::printf("ok\n");
    return 0;
  }

  auto logger = spdlog::stderr_color_mt("arbord");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_level(level);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) spdlog::error("config {}: {}", flags.config, to_string(e));
    return arbor::app::exit_bad_config;
  }
  for (const auto& w : loaded.warnings) spdlog::warn("config {}: {}", flags.config, to_string(w));

  raise_fd_limit();
  arbor::app::AppOptions options{std::move(*loaded.tree), flags.config, flags.socket};
  if (!flags.socket.empty()) options.tree.socket = flags.socket;
  // Before anything starts: kill what a SIGKILLed arbord on this socket left running, and
  // record our own groups for the next one (docs/DESIGN.md, "arbord killed by SIGKILL").
  // The record outlives the App, which hands it to the process runner.
  const auto record = arbor::host::GroupRecord::take_over(options.tree.socket + ".groups");
  options.group_record = record.get();
  arbor::app::App app(std::move(options));
  return app.run();
}
