// Spellings of the enums and signals, shared by the loader, to_json and the CLI.
#include <array>
#include <csignal>
#include <optional>
#include <cstdlib>
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

// Linux numbering (x86, arm, riscv); SIGIO doubles as POLL, SIGABRT as IOT.
constexpr std::array<std::pair<int, std::string_view>, 33> kSignals{{
    {1, "HUP"},   {2, "INT"},     {3, "QUIT"},    {4, "ILL"},   {5, "TRAP"},   {6, "ABRT"},  {6, "IOT"},
    {7, "BUS"},   {8, "FPE"},     {9, "KILL"},    {10, "USR1"}, {11, "SEGV"},  {12, "USR2"}, {13, "PIPE"},
    {14, "ALRM"}, {15, "TERM"},   {16, "STKFLT"}, {17, "CHLD"}, {18, "CONT"},  {19, "STOP"}, {20, "TSTP"},
    {21, "TTIN"}, {22, "TTOU"},   {23, "URG"},    {24, "XCPU"}, {25, "XFSZ"},  {26, "VTALRM"},
    {27, "PROF"}, {28, "WINCH"},  {29, "IO"},     {29, "POLL"}, {30, "PWR"},   {31, "SYS"},
}};
constexpr int kMaxSignal = 64;

std::optional<int> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
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
    for (const auto& [signo, name] : kSignals)
      if (name == s) return signo;
    // Real-time signals are numbered from the C library's SIGRTMIN, known only at run time.
    if (s == "RTMIN") n = SIGRTMIN;
    else if (s == "RTMAX") n = SIGRTMAX;
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
  for (const auto& [n, name] : kSignals)
    if (n == signo) return std::string(name);
  if (signo == SIGRTMIN) return "RTMIN";
  if (signo > SIGRTMIN && signo <= SIGRTMAX) return "RTMIN+" + std::to_string(signo - SIGRTMIN);
  return std::to_string(signo);
}

}  // namespace arbor::config
