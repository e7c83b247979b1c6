#include "ctl/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

namespace arbor::ctl {

using nlohmann::json;

std::string default_socket() {
  if (const char* env = std::getenv("ARBOR_SOCKET"); env != nullptr && env[0] != '\0') return env;
  if (::geteuid() != 0) {
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && xdg[0] != '\0') {
      return std::string(xdg) + "/arbor/arbord.sock";
    }
  }
  return "/run/arbor/arbord.sock";
}

namespace {

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

struct Values {
  std::string path = "/";
  std::string sig;
  std::string spec;
  std::vector<std::string> extra;
  int lines = 10;
  bool follow = false;
  bool dry_run = false;
  std::string state = "running";
  std::int64_t timeout = -1;
};

CLI::App* sub(CLI::App& app, const char* name, const char* help) {
  CLI::App* s = app.add_subcommand(name, help);
  s->fallthrough();  // --json and --socket work after the command too
  return s;
}

}  // namespace

std::optional<Invocation> parse_cli(int argc, char** argv, int& exit_code) {
  CLI::App app{"arborctl: control arbord, the arbor process supervisor, over its Unix socket.\n"
               "Exit status: 0 done, 1 the daemon refused, 2 usage error, 3 could not reach the daemon.",
               "arborctl"};
  app.require_subcommand(1);
  Invocation inv;
  Values v;
  inv.socket = default_socket();
  app.add_option("--socket", inv.socket, "arbord's control socket ($ARBOR_SOCKET overrides the default)")
      ->capture_default_str();
  app.add_flag("--json", inv.json, "print the reply as one JSON document (watch, logs -f: one per line)");

  CLI::App* status = sub(app, "status", "show the tree below PATH (default /)");
  status->add_option("PATH", v.path, "a child path such as web/api, or /");
  CLI::App* count = sub(app, "count", "count a supervisor's children (specs, active, supervisors, workers)");
  count->add_option("PATH", v.path, "a supervisor")->required();
  CLI::App* spec = sub(app, "spec", "print a child's spec as JSON, accepted back by add --spec");
  spec->add_option("PATH", v.path, "a child")->required();
  CLI::App* start = sub(app, "start", "start a stopped child from its spec");
  start->add_option("PATH", v.path, "a child")->required();
  CLI::App* stop = sub(app, "stop", "stop a child; its spec stays (temporary and dynamic children are removed)");
  stop->add_option("PATH", v.path, "a child")->required();
  CLI::App* restart = sub(app, "restart", "stop a child, then start it");
  restart->add_option("PATH", v.path, "a child")->required();
  CLI::App* add = sub(app, "add", "add a child to SUP (--spec) or start one from DYNSUP's template (-- ARG...)");
  add->add_option("SUP", v.path, "a supervisor or dynamic supervisor")->required();
  add->add_option("--spec", v.spec, "the child's spec: JSON text, or @FILE");
  add->add_option("ARG", v.extra, "after --: arguments appended to the template's command");
  CLI::App* remove = sub(app, "remove", "remove a stopped child's spec");
  remove->add_option("PATH", v.path, "a child")->required();
  CLI::App* signal = sub(app, "signal", "send a signal to a child's process group (a supervisor: to all below)");
  signal->add_option("PATH", v.path, "a child")->required();
  signal->add_option("SIG", v.sig, "TERM, HUP, USR1, 9, ...")->required();
  CLI::App* logs = sub(app, "logs", "print a worker's captured output");
  logs->add_option("PATH", v.path, "a worker")->required();
  logs->add_flag("-f,--follow", v.follow, "keep printing new lines until interrupted");
  logs->add_option("-n,--lines", v.lines, "how many of the last lines to print (default 10)")
      ->check(CLI::Range(0, 1000000));
  sub(app, "watch", "print the tree's events as they happen, until interrupted");
  CLI::App* reload = sub(app, "reload", "re-read the config file and apply the difference");
  reload->add_flag("--dry-run", v.dry_run, "only print the plan");
  CLI::App* wait = sub(app, "wait", "return when a child reaches a state; exit 1 on timeout");
  wait->add_option("PATH", v.path, "a child")->required();
  wait->add_option("--state", v.state, "starting, running (default), stopping, stopped or restarting")
      ->check(CLI::IsMember({"starting", "running", "stopping", "stopped", "restarting"}));
  wait->add_option("--timeout", v.timeout, "give up after MS milliseconds (default: wait for ever)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{365} * 24 * 3600 * 1000));
  sub(app, "version", "print arborctl's and arbord's versions and the protocol version");
  sub(app, "shutdown", "stop the tree; returns once arbord has stopped it");

  try {
    app.parse(argc, argv);
    CLI::App* chosen = app.get_subcommands().front();
    inv.cmd = chosen->get_name();
    json& a = inv.args;
    if (inv.cmd == "status" || inv.cmd == "count" || inv.cmd == "spec" || inv.cmd == "start" ||
        inv.cmd == "stop" || inv.cmd == "restart" || inv.cmd == "remove") {
      a["path"] = v.path;
    } else if (inv.cmd == "add") {
      a["path"] = v.path;
      if (!v.spec.empty() && !v.extra.empty()) throw CLI::ValidationError("add", "give --spec or -- ARG..., not both");
      if (!v.spec.empty()) {
        a["spec"] = read_spec(v.spec);
      } else {
        a["args"] = v.extra;
      }
    } else if (inv.cmd == "signal") {
      a = {{"path", v.path}, {"signal", v.sig}};
    } else if (inv.cmd == "logs") {
      a = {{"path", v.path}, {"lines", v.lines}, {"follow", v.follow}};
      inv.stream = v.follow;
    } else if (inv.cmd == "watch") {
      inv.stream = true;
    } else if (inv.cmd == "reload") {
      a["dry_run"] = v.dry_run;
    } else if (inv.cmd == "wait") {
      a = {{"path", v.path}, {"state", v.state}};
      if (v.timeout >= 0) a["timeout_ms"] = v.timeout;
    } else if (inv.cmd == "shutdown") {
      inv.until_eof = true;
    }
  } catch (const CLI::CallForHelp& e) {
    exit_code = app.exit(e) == 0 ? exit_ok : exit_usage;
    return std::nullopt;
  } catch (const CLI::CallForAllHelp& e) {
    exit_code = app.exit(e) == 0 ? exit_ok : exit_usage;
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "arborctl: %s\nRun with --help for more information.\n", e.what());
    exit_code = exit_usage;
    return std::nullopt;
  }
  return inv;
}

}  // namespace arbor::ctl
