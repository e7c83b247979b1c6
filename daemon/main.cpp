// arbord: flags and exit statuses (docs/ARBORD.md); everything else lives in App.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <spdlog/spdlog.h>

#include "arbor_version.h"
#include "config/load.h"
#include "daemon/app/app.h"
#include "daemon/app/init_mode.h"
#include "daemon/app/reexec_state.h"
#include "daemon/app/stderr_sink.h"
#include "daemon/host/cgroup_check.h"
#include "daemon/host/group_record.h"

namespace {

struct Flags {
  std::string config = "/etc/arbor/arbor.json";
  std::string socket;
  std::string log_level = "info";
  bool check = false;
  bool init = false;
  int deserialize = -1;      // reexec: the new program reads its state from this descriptor
  std::string reexec_check;  // reexec: the old program's dry run of the new one on a state file
};

// arbord's command line (CLI11, as arborctl's). Returns an exit status when arbord must
// not go on: 0 after --help or --version, 2 (docs/ARBORD.md: usage) after a bad argument.
std::optional<int> parse_flags(int argc, char** argv, Flags& flags) {
  CLI::App cli{
      "arbord: runs a tree of OTP supervisors and workers as Linux processes, in the foreground.\n"
      "Exit status: 0 clean stop, 1 boot failed, 2 bad configuration or usage, 3 the root gave up.",
      "arbord"};
  cli.add_option("--config", flags.config, "the tree to run ($ARBOR_CONFIG overrides the default)")
      ->envname("ARBOR_CONFIG")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli.add_option("--socket", flags.socket, "the control socket (default: \"socket\" of the config)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cli.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cli.add_flag("--check", flags.check, "validate the config, print ok or its errors, start nothing");
  cli.add_flag("--init", flags.init,
               "a container's init: more signals handled, every process left killed and reaped at the "
               "end (on anyway as PID 1)");
  // Hidden (no group): arbord's own use for `arborctl reexec` (docs/DESIGN.md).
  cli.add_option("--deserialize", flags.deserialize)->group("");
  cli.add_option("--reexec-check", flags.reexec_check)->group("");
  cli.set_version_flag("--version", std::string("arbord ") + ARBOR_VERSION);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);
    return arbor::app::exit_bad_config;
  }
  return std::nullopt;
}

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

// The path arbord runs from (`reexec` without --binary execs it again: after a package
// upgrade, the new program at the same path).
std::string self_path() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  std::string path(buf, static_cast<std::size_t>(n));
  if (path.ends_with(" (deleted)")) path.resize(path.size() - 10);
  return path;
}

// arbord's command line for a later exec, without a --deserialize of its own.
std::vector<std::string> own_argv(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--deserialize") {
      ++i;
      continue;
    }
    if (arg.starts_with("--deserialize=")) continue;
    out.push_back(arg);
  }
  return out;
}

// reexec, the new program: the state to take over, or null after the fallback (the old
// tree's groups killed; `fallback` names the client to tell once the tree runs again).
std::unique_ptr<arbor::app::ReexecState> take_state(int fd, arbor::app::AppOptions::Fallback& fallback) {
  std::string bytes;
  std::string why;
  auto state = std::make_unique<arbor::app::ReexecState>();
  if (arbor::app::read_state(fd, bytes, why) && arbor::app::decode(bytes, *state, why)) {
    // The old program cleared close-on-exec for the exec alone: no later exec inherits them.
    // One call for all (every descriptor arbord opens is close-on-exec anyway), not 10,000.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (const int kept : state->header.fds) ::fcntl(kept, F_SETFD, FD_CLOEXEC);
    }
    return state;
  }
  arbor::app::ReexecHeader header;
  if (std::string unreadable; !arbor::app::decode_header(bytes, header, unreadable)) {
    spdlog::error("reexec: {}; starting the tree from the configuration", why);
    return nullptr;
  }
  spdlog::error(
      "reexec: {}; killing the {} process groups of the old tree and starting it from the configuration", why,
      header.groups.size());
  arbor::app::abandon_handover(header, {header.client_fd});
  fallback = {header.client_fd, header.request_id,
              why + "; the old tree's workers were killed and the tree started again from the configuration"};
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // As PID 1 a signal is dropped until it has a handler: keep it pending until the App's.
  if (arbor::app::is_pid1()) arbor::app::block_init_signals();
  ensure_standard_fds();
  Flags flags;
  if (const auto status = parse_flags(argc, argv, flags)) return *status;
  if (flags.init) arbor::app::block_init_signals();
  if (!flags.reexec_check.empty()) return arbor::app::check_state_file(flags.reexec_check);
  const auto level = spdlog::level::from_str(flags.log_level);
  // arbord's log never blocks the loop on a stderr nobody reads (daemon/app/stderr_sink.h).
  auto sink = std::make_shared<arbor::app::StderrSink>();
  if (!flags.check) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("arbord", sink));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
    spdlog::set_level(level);
  }
  // reexec: the tree comes with the state, not from the file (which may have changed
  // since the last reload, and would cost a parse of the whole tree).
  arbor::app::AppOptions::Fallback fallback;
  std::unique_ptr<arbor::app::ReexecState> adopted;
  if (flags.deserialize >= 0 && !flags.check) adopted = take_state(flags.deserialize, fallback);

  arbor::config::LoadResult loaded;
  if (adopted) {
    loaded.tree = std::move(adopted->tree);
    loaded.tree->root = adopted->snapshot.root_spec;
  } else {
    loaded = arbor::config::load_file(flags.config);
  }
  // Limits arbord could not apply (SPEC §7): warnings, or errors with "cgroups": "required".
  if (!adopted && loaded.tree && loaded.tree->cgroups != arbor::config::CgroupsMode::off) {
    auto& into =
        loaded.tree->cgroups == arbor::config::CgroupsMode::required ? loaded.errors : loaded.warnings;
    for (auto& d : arbor::host::unavailable_limits(*loaded.tree, arbor::host::offered_controllers()))
      into.push_back(std::move(d));
    if (!loaded.errors.empty()) loaded.tree.reset();
  }
  if (flags.check) {
    // Errors and warnings on stderr, "ok" alone on stdout.
    for (const auto& w : loaded.warnings)
      std::fprintf(stderr, "warning: %s\n", to_string(w, flags.config).c_str());
    if (!loaded.errors.empty()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", to_string(e, flags.config).c_str());
      return arbor::app::exit_bad_config;
    }
    std::printf("ok\n");
    return 0;
  }

  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) spdlog::error("config {}: {}", flags.config, to_string(e));
    return arbor::app::exit_bad_config;
  }
  for (const auto& w : loaded.warnings) spdlog::warn("config {}: {}", flags.config, to_string(w));

  raise_fd_limit();
  arbor::app::AppOptions options{std::move(*loaded.tree), flags.config, flags.socket, sink};
  if (!flags.socket.empty()) options.tree.socket = flags.socket;
  // Before anything starts: kill what a SIGKILLed arbord on this socket left running, and
  // record our own groups for the next one (docs/DESIGN.md, "arbord killed by SIGKILL").
  // The record outlives the App, which hands it to the process runner.
  // The new program of a reexec keeps the record, still locked, and what it lists.
  const auto record = adopted && adopted->record_fd >= 0
                          ? arbor::host::GroupRecord::adopt(adopted->record_path, adopted->record_fd)
                          : arbor::host::GroupRecord::take_over(options.tree.socket + ".groups");
  options.group_record = record.get();
  options.argv = own_argv(argc, argv);
  options.self_path = self_path();
  options.adopt = adopted.get();
  options.fallback = std::move(fallback);
  // Init mode (docs/CONTAINERS.md): as PID 1 of a pid namespace, or asked for with --init.
  const bool pid1 = arbor::app::is_pid1();
  options.init = flags.init || pid1;
  if (options.init) spdlog::info("init mode: {}", pid1 ? "arbord is PID 1" : "--init");
  int status = 0;
  {
    arbor::app::App app(std::move(options));
    status = app.run();
  }
  // The tree is down; whatever is left (an escaped daemon, a `docker exec`) goes now, and
  // arbord exits only once it is gone.
  if (flags.init || pid1) {
    if (const auto n = arbor::app::end_descendants(pid1); n > 0)
      spdlog::info("init: killed and reaped {} processes left after the tree", n);
    spdlog::info("init: no process left; exiting with status {}", status);
  }
  return status;
}
