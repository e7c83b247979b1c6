#include "ctl/verbs.h"

#include <array>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "arbor_version.h"
#include "ctl/errors.h"

namespace arbor::ctl {

using nlohmann::json;
using protocol::NoArgs;

namespace {

// A verb for command C: the subcommand's options fill a C::Request, C::Result is
// printed by `print`.
template <typename C>
class Typed final : public Verb {
 public:
  using Request = typename C::Request;
  using Declare = void (*)(CLI::App&, Request&);
  using Print = std::string (*)(const typename C::Result&, const Output&);
  using Then = After (*)(const Request&);
  using PrintJson = std::string (*)(const json&);
  using Status = int (*)(const typename C::Result&);

  Typed(Declare declare, Print print, Then then = nullptr, PrintJson print_json = nullptr,
        Status status = nullptr)
      : declare_(declare), print_(print), then_(then), print_json_(print_json), status_(status) {}

  const protocol::CommandInfo& info() const override { return C::info; }
  void declare(CLI::App& sub) override {
    if (declare_ != nullptr) declare_(sub, request_);
  }
  json request() const override {
    json args = request_.to_json();
    // The checks arbord makes, made first here, so a bad path is a usage error.
    try {
      (void)Request::from_json(args);
    } catch (const protocol::ProtocolError& e) {
      throw UsageError(e.what());
    }
    return args;
  }
  After after() const override { return then_ != nullptr ? then_(request_) : After::nothing; }
  std::string print(const json& result, const Output& out) const override {
    return print_ != nullptr ? print_(C::Result::from_json(result), out) : "";
  }
  std::optional<std::string> print_reply_line(std::string_view line) const override {
    if constexpr (requires { C::Result::from_reply_line(line); }) {
      if (print_ == nullptr || status_ != nullptr) return std::nullopt;
      if (auto result = C::Result::from_reply_line(line)) return print_(*result, Output{});
    }
    return std::nullopt;
  }
  std::string print_json(const json& result) const override {
    return print_json_ != nullptr ? print_json_(result) : Verb::print_json(result);
  }
  int exit_status(const json& result) const override {
    return status_ != nullptr ? status_(C::Result::from_json(result)) : exit_ok;
  }
  std::string print_line(const json& line) const override {
    if constexpr (requires { typename C::Line; }) {
      return ctl::print_line(C::Line::from_json(line));
    } else {
      return Verb::print_line(line);
    }
  }

 private:
  Request request_;
  Declare declare_;
  Print print_;
  Then then_;
  PrintJson print_json_;
  Status status_;
};

// `--spec` is JSON text, or @FILE to read it from a file ("@-" for stdin).
json read_spec(const std::string& text) {
  std::string body = text;
  if (!text.empty() && text[0] == '@') {
    const std::string file = text.substr(1);
    std::stringstream ss;
    if (file == "-") {
      ss << std::cin.rdbuf();
    } else {
      std::ifstream in(file);
      if (!in) throw CLI::ValidationError("--spec", "cannot read " + file);
      ss << in.rdbuf();
    }
    body = ss.str();
  }
  json spec = json::parse(body, nullptr, false);
  if (spec.is_discarded()) throw CLI::ValidationError("--spec", "not valid JSON");
  return spec;
}

void args_child(CLI::App& s, protocol::PathRequest& r) {
  s.add_option("PATH", r.path, "a child")->required();
}

void args_status(CLI::App& s, cmd::Status::Request& r) {
  s.add_option("PATH", r.path, "a child path such as web/api, or / (one worker: also its last output lines)");
}

void args_count(CLI::App& s, cmd::Count::Request& r) {
  s.add_option("PATH", r.path, "a supervisor")->required();
}

void args_add(CLI::App& s, cmd::Add::Request& r) {
  s.add_option("SUP", r.path, "a supervisor or dynamic supervisor")->required();
  // CLI11 keeps references to these; the callback, which CLI11 keeps too, owns them.
  auto spec = std::make_shared<std::string>();
  auto extra = std::make_shared<std::vector<std::string>>();
  s.add_option("--spec", *spec, "the child's spec: JSON text, or @FILE");
  s.add_option("ARG", *extra, "after --: arguments appended to the template's command");
  s.final_callback([&r, spec, extra] {
    if (!spec->empty() && !extra->empty())
      throw CLI::ValidationError("add", "give --spec or -- ARG..., not both");
    if (!spec->empty()) {
      r.spec = read_spec(*spec);
    } else {
      r.args = *extra;
    }
  });
}

void args_signal(CLI::App& s, cmd::Signal::Request& r) {
  s.add_option("PATH", r.path, "a child")->required();
  s.add_option("SIG", r.signal, "TERM, HUP, USR1, 9, ...")->required();
}

void args_logs(CLI::App& s, cmd::Logs::Request& r) {
  s.add_option("PATH", r.path, "a worker")->required();
  s.add_flag("-f,--follow", r.follow, "keep printing new lines until interrupted");
  s.add_option("-n,--lines", r.lines, "how many of the last lines to print (default 10)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
}

void args_watch(CLI::App& s, cmd::Watch::Request& r) {
  auto since = std::make_shared<std::int64_t>(-1);
  s.add_option("--since", *since,
               "first print the kept events after SEQ (the \"seq\" of an event already seen), then go on")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  s.final_callback([&r, since] {
    if (*since >= 0) r.since = static_cast<std::uint64_t>(*since);
  });
}

void args_reload(CLI::App& s, cmd::Reload::Request& r) {
  s.add_flag("--dry-run", r.dry_run, "only print the plan");
}

void args_wait(CLI::App& s, cmd::Wait::Request& r) {
  s.add_option("PATH", r.path, "a child")->required();
  s.add_option("--state", r.state, "starting, running (default), stopping, stopped or restarting")
      ->check(CLI::IsMember({"starting", "running", "stopping", "stopped", "restarting"}));
  auto timeout = std::make_shared<std::int64_t>(-1);
  s.add_option("--timeout", *timeout, "give up after MS milliseconds (default: wait for ever)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{365} * 24 * 3600 * 1000));
  s.final_callback([&r, timeout] {
    if (*timeout >= 0) r.timeout_ms = *timeout;
  });
}

template <typename C>
std::string nothing(const typename C::Result&, const Output&) {
  return "";
}

// --json: arborctl's own version beside arbord's.
std::string version_json(const json& result) {
  const auto v = cmd::Version::Result::from_json(result);
  return json{{"arborctl", ARBOR_VERSION}, {"arbord", v.arbord}, {"protocol", v.protocol}}.dump(2) + "\n";
}

// --json: one {"path","line"} object per line, the backlog like the lines that follow.
std::string logs_json(const json& result) {
  const auto logs = cmd::Logs::Result::from_json(result);
  std::string out;
  for (const std::string& line : logs.lines)
    out += protocol::encode_line(cmd::Logs::Line{logs.path, line}.to_json());
  return out;
}

// --json watch: the reply ({}) is not printed, only the events after it.
std::string no_json(const json&) { return ""; }

After logs_after(const cmd::Logs::Request& r) { return r.follow ? After::stream : After::nothing; }
template <typename R>
After stream(const R&) {
  return After::stream;
}
After until_eof(const NoArgs&) { return After::eof; }

void args_check(CLI::App& s, cmd::Check::Request& r) {
  s.add_option("PATH", r.path, "check only below this child (default /)");
}

// `check`: exit 1 (with its report printed) when a worker that should run does not.
int check_status(const cmd::Check::Result& r) { return r.ok ? exit_ok : exit_refused; }

void args_reexec(CLI::App& s, cmd::Reexec::Request& r) {
  auto binary = std::make_shared<std::string>();
  s.add_option("--binary", *binary, "the program to exec (default: the one arbord was started from)");
  s.final_callback([&r, binary] {
    if (!binary->empty()) r.binary = *binary;
  });
}

// `reexec`: exit 1 when the new program had to start the tree again (it says why).
int reexec_status(const cmd::Reexec::Result& r) { return r.adopted ? exit_ok : exit_refused; }

template <typename C, auto declare, auto print, auto then = nullptr, auto print_json = nullptr,
          auto status = nullptr>
std::unique_ptr<Verb> make() {
  return std::make_unique<Typed<C>>(declare, print, then, print_json, status);
}

// docs/ARBORCTL.md, in its order (protocol::commands::Commands).
constexpr std::array kVerbs{
    VerbEntry{&cmd::Status::info, "show the tree below PATH (default /)",
              make<cmd::Status, args_status, print_status>},
    VerbEntry{&cmd::Count::info, "count a supervisor's children (specs, active, supervisors, workers)",
              make<cmd::Count, args_count, print_count>},
    VerbEntry{&cmd::Spec::info, "print a child's spec as JSON, accepted back by add --spec",
              make<cmd::Spec, args_child, print_spec>},
    VerbEntry{&cmd::Start::info, "start a stopped child from its spec",
              make<cmd::Start, args_child, print_warning>},
    VerbEntry{&cmd::Stop::info, "stop a child; its spec stays (temporary and dynamic children are removed)",
              make<cmd::Stop, args_child, print_warning>},
    VerbEntry{&cmd::Restart::info, "stop a child, then start it",
              make<cmd::Restart, args_child, print_warning>},
    VerbEntry{&cmd::Add::info, "add a child to SUP (--spec) or start one from DYNSUP's template (-- ARG...)",
              make<cmd::Add, args_add, print_path>},
    VerbEntry{&cmd::Remove::info, "remove a stopped child's spec",
              make<cmd::Remove, args_child, print_warning>},
    VerbEntry{&cmd::Signal::info, "send a signal to a child's process group (a supervisor: to all below)",
              make<cmd::Signal, args_signal, nothing<cmd::Signal>>},
    VerbEntry{&cmd::Logs::info, "print a worker's captured output",
              make<cmd::Logs, args_logs, print_logs, logs_after, logs_json>},
    VerbEntry{&cmd::Watch::info, "print the tree's events as they happen, until interrupted",
              make<cmd::Watch, args_watch, nothing<cmd::Watch>, stream<cmd::Watch::Request>, no_json>},
    VerbEntry{&cmd::Why::info, "print why PATH last started, exited or gave up: its chain of causes",
              make<cmd::Why, args_child, print_why>},
    VerbEntry{&cmd::Reload::info, "re-read the config file and apply the difference",
              make<cmd::Reload, args_reload, print_reload>},
    VerbEntry{&cmd::Wait::info, "return when a child reaches a state; exit 1 on timeout",
              make<cmd::Wait, args_wait, nothing<cmd::Wait>>},
    VerbEntry{&cmd::Version::info, "print arborctl's and arbord's versions and the protocol version",
              make<cmd::Version, nullptr, print_version, nullptr, version_json>},
    VerbEntry{&cmd::Shutdown::info, "stop the tree; returns once arbord has stopped it",
              make<cmd::Shutdown, nullptr, nothing<cmd::Shutdown>, until_eof>},
    VerbEntry{&cmd::Check::info,
              "exit 0 when every worker below PATH that should run is running (and healthy), else 1",
              make<cmd::Check, args_check, print_check, nullptr, nullptr, check_status>},
    VerbEntry{&cmd::Metrics::info, "print the tree's metrics in the Prometheus text format (0.0.4)",
              make<cmd::Metrics, nullptr, print_metrics>},
    VerbEntry{&cmd::Reexec::info, "replace arbord's program in place, keeping the tree and every worker",
              make<cmd::Reexec, args_reexec, print_reexec, nullptr, nullptr, reexec_status>},
};
static_assert(protocol::commands::lists_every_command(kVerbs));

}  // namespace

std::span<const VerbEntry> verb_table() { return kVerbs; }

}  // namespace arbor::ctl
