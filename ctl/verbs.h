// arborctl's side of each command (a "verb"): its subcommand's arguments, which build
// the command's typed Request, and its printer, which reads the typed Result
// (daemon/protocol/commands/). The list is one explicit table (verbs.cpp), held by a
// static_assert to the protocol's list of commands.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "daemon/protocol/commands/all.h"

namespace arbor::ctl {

namespace cmd = protocol::commands;

// What a printer may use besides the result.
struct Output {
  bool colour = false;
  // Sends one more request to arbord (its JSON) and returns the reply's result, or
  // nullopt if it was refused or arbord could not be reached.
  std::function<std::optional<nlohmann::json>(const nlohmann::json& request)> ask;

  template <typename C>
  std::optional<typename C::Result> call(const typename C::Request& request) const {
    auto result = ask ? ask(protocol::request_for<C>(2, request)) : std::nullopt;
    if (!result) return std::nullopt;
    return C::Result::from_json(*result);
  }
};

// After the reply: nothing (most commands), stream lines until arbord hangs up (watch,
// logs -f), or wait for arbord to close the connection (shutdown).
enum class After { nothing, stream, eof };

// One verb, made for one run of arborctl: declare() binds the subcommand's options to
// a Request of its own, which request() returns once the command line is parsed.
class Verb {
 public:
  virtual ~Verb() = default;
  virtual const protocol::CommandInfo& info() const = 0;
  virtual void declare(CLI::App& sub) = 0;
  // The request's args. Throws UsageError for arguments the Request refuses.
  virtual nlohmann::json request() const = 0;
  virtual After after() const = 0;
  // Human output of a successful reply (may be empty).
  virtual std::string print(const nlohmann::json& result, const Output& out) const = 0;
  // Human output read straight from the reply line, for a result too big for a DOM
  // (metrics); nullopt: no such reader, or not a success line: print() it is.
  virtual std::optional<std::string> print_reply_line(std::string_view /*line*/) const {
    return std::nullopt;
  }
  // --json output of the reply: by default the result as arbord sent it.
  virtual std::string print_json(const nlohmann::json& result) const { return result.dump(2) + "\n"; }
  // Human output of one stream line.
  virtual std::string print_line(const nlohmann::json& line) const { return line.dump() + "\n"; }
  // arborctl's exit status after a successful reply: 0, but `check` says 1 when not ok.
  virtual int exit_status(const nlohmann::json& /*result*/) const { return 0; }
};

// Every verb, in docs/ARBORCTL.md's order, with its CLI11 help line.
struct VerbEntry {
  const protocol::CommandInfo* info;
  const char* help;
  std::unique_ptr<Verb> (*make)();
};
std::span<const VerbEntry> verb_table();

// The printers (print.cpp), one per command whose result or lines are shown.
std::string print_status(const cmd::Status::Result& node, const Output& out);
std::string print_count(const cmd::Count::Result& counts, const Output& out);
std::string print_spec(const cmd::Spec::Result& spec, const Output& out);
std::string print_path(const protocol::PathResult& added, const Output& out);
// Nothing on stdout; the reply's warning, if any, on stderr (start, stop, restart, remove).
std::string print_warning(const protocol::PathResult& result, const Output& out);
std::string print_logs(const cmd::Logs::Result& logs, const Output& out);
std::string print_reload(const cmd::Reload::Result& plan, const Output& out);
std::string print_version(const cmd::Version::Result& version, const Output& out);
std::string print_check(const cmd::Check::Result& check, const Output& out);
std::string print_metrics(const cmd::Metrics::Result& metrics, const Output& out);
std::string print_reexec(const cmd::Reexec::Result& reexec, const Output& out);
std::string print_line(const cmd::Event& event);
std::string print_why(const cmd::Why::Result& why, const Output& out);  // print_why.cpp
// One event as a `why` line says it: "exited, signal KILL (abnormal)", "restarting (one_for_all)".
std::string describe_why_event(const cmd::Event& event);
std::string print_line(const cmd::Logs::Line& line);

// "3d4h", "5m03s", "12s" for a duration in seconds.
std::string format_duration(long long seconds);

}  // namespace arbor::ctl
