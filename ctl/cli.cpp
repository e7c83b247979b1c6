#include "ctl/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <CLI/CLI.hpp>

namespace arbor::ctl {

std::string default_socket() {
  if (const char* env = std::getenv("ARBOR_SOCKET"); env != nullptr && env[0] != '\0') return env;
  if (::geteuid() != 0) {
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && xdg[0] != '\0') {
      return std::string(xdg) + "/arbor/arbord.sock";
    }
  }
  return "/run/arbor/arbord.sock";
}

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

std::optional<Invocation> parse_cli(int argc, char** argv) {
  CLI::App app{"arborctl: control arbord, the arbor process supervisor, over its Unix socket.\n"
               "Exit status: 0 done, 1 the daemon refused, 2 usage error, 3 could not reach the daemon.",
               "arborctl"};
  app.require_subcommand(1);
  Invocation inv;
  inv.socket = default_socket();
  app.add_option("--socket", inv.socket, "arbord's control socket ($ARBOR_SOCKET overrides the default)")
      ->capture_default_str();
  app.add_flag("--json", inv.json, "print the reply as one JSON document (watch, logs -f: one per line)");

  std::vector<std::pair<CLI::App*, std::unique_ptr<Verb>>> verbs;
  for (const VerbEntry& entry : verb_table()) {
    CLI::App* sub = app.add_subcommand(std::string(entry.info->name), entry.help);
    sub->fallthrough();  // --json and --socket work after the command too
    auto verb = entry.make();
    verb->declare(*sub);
    verbs.emplace_back(sub, std::move(verb));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    if (app.exit(e) != 0) throw UsageError(e.what());
    return std::nullopt;
  } catch (const CLI::CallForAllHelp& e) {
    if (app.exit(e) != 0) throw UsageError(e.what());
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  for (auto& [sub, verb] : verbs) {
    if (sub->parsed()) inv.verb = std::move(verb);
  }
  inv.args = inv.verb->request();
  return inv;
}

}  // namespace arbor::ctl
