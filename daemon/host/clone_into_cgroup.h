// clone3 with CLONE_INTO_CGROUP, vfork-style: the child runs on a stack of the caller's in
// the caller's memory (CLONE_VM | CLONE_VFORK) and starts inside the cgroup, so a worker
// never runs an instruction of its own outside it.
//
// glibc 2.36 has no clone3 wrapper, and a raw syscall(SYS_clone3) with CLONE_VM cannot be
// made from C: the child would return into the parent's frame on another stack. A small
// x86_64 trampoline (clone_into_cgroup.cpp) makes the call, and the child calls fn(arg) on
// its new stack and exits with what it returns. Other architectures have none.
#pragma once

#include <cstddef>

namespace arbor::host {

// True when this build has the trampoline (x86_64) and it was not disabled.
bool have_clone3_trampoline() noexcept;
// Tests: spawns from now on take the fallback (clone, then the child joins its cgroup).
void disable_clone3_for_testing() noexcept;

// clone3(flags | CLONE_INTO_CGROUP, exit_signal, cgroup = cgroup_fd) with the child on
// [stack, stack + size) running fn(arg). Returns the child's pid, or -errno (-ENOSYS:
// no clone3 or no trampoline; -E2BIG: a kernel before 5.7, without CLONE_INTO_CGROUP).
long clone_into_cgroup(unsigned long flags, int exit_signal, int cgroup_fd, void* stack, std::size_t size,
                       int (*fn)(void*), void* arg) noexcept;

}  // namespace arbor::host
