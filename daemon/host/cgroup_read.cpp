// CgroupTree::read_file: a worker's interface file read for status and `metrics`. A scrape
// of 5,000 workers opens 5,000 cpu.stat files; by absolute path each open walked
// /sys/fs/cgroup/unified/arbord-N/tree/c-w/cpu.stat through kernfs (bench/README.md
// "Metrics at scale"), relative to the held tree directory it walks "c-w/cpu.stat".
#include <fcntl.h>

#include "daemon/host/cgroup_parse.h"
#include "daemon/host/cgroup_tree.h"

namespace arbor::host {

// Opened once the tree cgroup exists (made or adopted), not at the first read: arbord's
// descriptor count at rest is then the same before and after the first status or scrape.
void CgroupTree::open_tree_dir() {
  if (tree_fd_ < 0) tree_fd_ = sys_.open((mount_ + tree_rel_).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

std::optional<std::string> CgroupTree::read_file(const std::string& path, const char* file) {
  if (closed_) return std::nullopt;
  open_tree_dir();  // again, if it failed at the start
  if (tree_fd_ < 0) return read_small_file(sys_, absolute(path) + "/" + file);
  // relative(path) is tree_rel_ followed by "/c-…" per level, or tree_rel_ itself for "/".
  std::string below = relative(path).substr(tree_rel_.size());
  below = below.empty() ? std::string(file) : below.substr(1) + "/" + file;
  const int fd = sys_.openat(tree_fd_, below.c_str(), O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  // A kernfs read fills the buffer unless it reached the end: a short read is the whole
  // file (cpu.stat is some 100 bytes), which saves the second read that would answer 0.
  return read_open_file(sys_, fd, true);
}

// Why a skipped read stays true: the walk reads a parent P at time tP, then its children.
// If the next walk reads P's usage unchanged, no descendant ran in (tP, now], and each
// descendant's last reading was taken after tP (in the walk that read P, or after a later
// reading of its own ancestor that was unchanged too), so it is its value now. The kernel
// sums nanoseconds and prints µs: P's µs may stay while a child's crosses one, so a
// child's figure can lag by less than 1 µs until P's next change. A cgroup made again
// (renew, remove then add) counts from 0: make() forgets its reading.
CgroupTree::CpuReading CgroupTree::cpu_usage(const std::string& path, bool parent_unchanged) {
  const auto it = made_.find(path);
  if (it == made_.end()) return {};  // not made yet: nothing ran there
  Made& made = it->second;
  if (parent_unchanged && made.cpu_read != kNotRead) return {made.cpu_read, true};
  const auto text = read_file(path, "cpu.stat");
  const std::optional<std::uint64_t> usec = text ? keyed_value(*text, "usage_usec") : std::nullopt;
  const bool unchanged = usec && *usec == made.cpu_read;
  made.cpu_read = usec.value_or(kNotRead);
  return {usec, unchanged};
}

}  // namespace arbor::host
