// Spellings of the enums and signals, shared by the loader, to_json and the CLI.
#include <array>
#include <charconv>
#include <csignal>
#include <optional>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config/load.h"

namespace arbor::config {
namespace {

template <class T, std::size_t N>
struct Table {
  std::array<std::pair<T, std::string_view>, N> rows;
  std::string_view name(T v) const {
    for (const auto& [value, text] : rows)
      if (value == v) return text;
    return "?";
  }
  std::optional<T> parse(std::string_view s) const {
    for (const auto& [value, text] : rows)
      if (text == s) return value;
    return std::nullopt;
  }
};

constexpr Table<ChildType, 3> kChildTypes{{{{ChildType::worker, "worker"},
                                            {ChildType::supervisor, "supervisor"},
                                            {ChildType::dynamic_supervisor, "dynamic_supervisor"}}}};
constexpr Table<RestartType, 3> kRestartTypes{{{{RestartType::permanent, "permanent"},
                                                {RestartType::transient, "transient"},
                                                {RestartType::temporary, "temporary"}}}};
constexpr Table<Strategy, 3> kStrategies{{{{Strategy::one_for_one, "one_for_one"},
                                           {Strategy::one_for_all, "one_for_all"},
                                           {Strategy::rest_for_one, "rest_for_one"}}}};
constexpr Table<AutoShutdown, 3> kAutoShutdowns{{{{AutoShutdown::never, "never"},
                                                  {AutoShutdown::any_significant, "any_significant"},
                                                  {AutoShutdown::all_significant, "all_significant"}}}};

// Signal names come from the C library (sigabbrev_np: "TERM" for SIGTERM), which knows
// this architecture's numbering; these are the other spellings it does not give.
constexpr std::array<std::pair<std::string_view, int>, 2> kSignalAliases{
    {{"IOT", SIGABRT}, {"POLL", SIGPOLL}}};
constexpr int kMaxSignal = 64;

// A plain decimal of at most three digits (no sign, no spaces): "9", "64".
std::optional<int> parse_decimal(std::string_view s) {
  int n = 0;
  if (s.empty() || s.size() > 3) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

std::string_view to_string(ChildType v) { return kChildTypes.name(v); }
std::string_view to_string(RestartType v) { return kRestartTypes.name(v); }
std::string_view to_string(Strategy v) { return kStrategies.name(v); }
std::string_view to_string(AutoShutdown v) { return kAutoShutdowns.name(v); }

std::optional<ChildType> child_type_from_string(std::string_view s) { return kChildTypes.parse(s); }
std::optional<RestartType> restart_type_from_string(std::string_view s) { return kRestartTypes.parse(s); }
std::optional<Strategy> strategy_from_string(std::string_view s) { return kStrategies.parse(s); }
std::optional<AutoShutdown> auto_shutdown_from_string(std::string_view s) { return kAutoShutdowns.parse(s); }

std::optional<int> signal_from_name(std::string_view text) {
  std::optional<int> n = parse_decimal(text);
  if (!n) {
    std::string s = upper(text);
    if (s.starts_with("SIG")) s.erase(0, 3);
    for (int signo = 1; signo < SIGRTMIN; ++signo)
      if (const char* name = sigabbrev_np(signo); name != nullptr && s == name) return signo;
    for (const auto& [name, signo] : kSignalAliases)
      if (name == s) return signo;
    // Real-time signals are numbered from the C library's SIGRTMIN, known only at run time.
    if (s == "RTMIN")
      n = SIGRTMIN;
    else if (s == "RTMAX")
      n = SIGRTMAX;
    else if (s.starts_with("RTMIN+")) {
      if (const auto k = parse_decimal(std::string_view(s).substr(6))) n = SIGRTMIN + *k;
    } else if (s.starts_with("RTMAX-")) {
      if (const auto k = parse_decimal(std::string_view(s).substr(6))) n = SIGRTMAX - *k;
    }
    if (n && (*n < SIGRTMIN || *n > SIGRTMAX)) return std::nullopt;
  }
  if (!n || *n < 1 || *n > kMaxSignal) return std::nullopt;
  return n;
}

std::string signal_name(int signo) {
  if (signo > 0 && signo < SIGRTMIN)
    if (const char* name = sigabbrev_np(signo); name != nullptr) return name;
  if (signo == SIGRTMIN) return "RTMIN";
  if (signo > SIGRTMIN && signo <= SIGRTMAX) return "RTMIN+" + std::to_string(signo - SIGRTMIN);
  return std::to_string(signo);
}

}  // namespace arbor::config
