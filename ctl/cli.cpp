#include "ctl/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

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

namespace {

// Levenshtein distance, for "did you mean".
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The first argument that is not an option (or an option's value): the command.
std::optional<std::string_view> command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--socket") {
      ++i;
    } else if (arg.empty() || arg[0] != '-') {
      return arg;
    }
  }
  return std::nullopt;
}

// CLI11 says "A subcommand is required" of a word it does not know; say what it is.
void check_command(int argc, char** argv) {
  const auto word = command_word(argc, argv);
  if (!word) return;
  std::string close;
  std::string all;
  for (const VerbEntry& entry : verb_table()) {
    const std::string_view name = entry.info->name;
    if (name == *word) return;
    all += (all.empty() ? "" : ", ") + std::string(name);
    const bool near = distance(*word, name) <= std::max<std::size_t>(1, word->size() / 3) ||
                      (word->size() >= 2 && name.starts_with(*word));
    if (near) close += (close.empty() ? "" : " or ") + std::string(name);
  }
  std::string message = "unknown command \"" + std::string(*word) + "\"";
  message += close.empty() ? "; the commands are " + all : "; did you mean " + close + "?";
  throw UsageError(message);
}

}  // namespace

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

std::optional<Invocation> parse_cli(int argc, char** argv) {
  CLI::App app{
      "arborctl: control arbord, the arbor process supervisor, over its Unix socket.\n"
      "Exit status: 0 done, 1 the daemon refused, 2 usage error, 3 could not reach the daemon.",
      "arborctl"};
  app.require_subcommand(1);
  Invocation inv;
  inv.socket = default_socket();
  // The default shown is this user's own (root's socket is not a non-root user's default).
  app.add_option(
         "--socket", inv.socket,
         "arbord's control socket; the default is $ARBOR_SOCKET if set, else /run/arbor/arbord.sock for "
         "root and $XDG_RUNTIME_DIR/arbor/arbord.sock for other users")
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

  check_command(argc, argv);
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
