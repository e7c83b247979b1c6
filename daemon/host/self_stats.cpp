#include "daemon/host/self_stats.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"

namespace arbor::host {

namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return n;
}

// The `index`th space-separated field of `text` (0-based).
std::optional<std::string_view> field(std::string_view text, std::size_t index) {
  std::size_t pos = 0;
  for (std::size_t i = 0;; ++i) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    const std::size_t end = std::min(text.find_first_of(" \n", pos), text.size());
    if (i == index) return text.substr(pos, end - pos);
    pos = end;
  }
}

// Entries of /proc/self/fd. Linux >= 6.2 gives their number as the directory's size (no
// listing of 10,000 entries at 5,000 workers); before, the size is 0 and we count, less the
// descriptor opendir holds.
std::optional<std::uint64_t> count_fds() {
  struct stat st {};
  if (::stat("/proc/self/fd", &st) == 0 && st.st_size > 0) return static_cast<std::uint64_t>(st.st_size);
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::uint64_t n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n > 0 ? n - 1 : 0;
}

}  // namespace

std::optional<std::uint64_t> statm_resident_pages(std::string_view statm) {
  const auto f = field(statm, 1);
  return f ? number(*f) : std::nullopt;
}

std::optional<std::uint64_t> stat_start_ticks(std::string_view stat) {
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is index 0, so starttime (field 22) is index 19.
  const auto f = field(stat.substr(paren + 1), 19);
  return f ? number(*f) : std::nullopt;
}

SelfStats read_self_stats(Sys& sys) {
  SelfStats out;
  static const long page = ::sysconf(_SC_PAGESIZE);
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  if (const auto statm = read_small_file(sys, "/proc/self/statm")) {
    if (const auto pages = statm_resident_pages(*statm); pages && page > 0)
      out.resident_bytes = *pages * static_cast<std::uint64_t>(page);
  }
  static const std::optional<std::uint64_t> btime = [&sys]() -> std::optional<std::uint64_t> {
    const auto text = read_small_file(sys, "/proc/stat");
    return text ? keyed_value(*text, "btime") : std::nullopt;
  }();
  if (const auto stat = read_small_file(sys, "/proc/self/stat")) {
    if (const auto start = stat_start_ticks(*stat); start && btime && ticks > 0)
      out.start_time_seconds =
          static_cast<double>(*btime) + static_cast<double>(*start) / static_cast<double>(ticks);
  }
  out.open_fds = count_fds();
  return out;
}

}  // namespace arbor::host
