#include "daemon/host/clone_into_cgroup.h"

#include <cerrno>
#include <cstdint>

namespace arbor::host {
namespace {

// struct clone_args of <linux/sched.h>, up to `cgroup` (CLONE_ARGS_SIZE_VER2, Linux 5.7);
// spelled here because <linux/sched.h> and glibc's <sched.h> do not mix.
struct CloneArgs {
  std::uint64_t flags;
  std::uint64_t pidfd;
  std::uint64_t child_tid;
  std::uint64_t parent_tid;
  std::uint64_t exit_signal;
  std::uint64_t stack;
  std::uint64_t stack_size;
  std::uint64_t tls;
  std::uint64_t set_tid;
  std::uint64_t set_tid_size;
  std::uint64_t cgroup;
};
static_assert(sizeof(CloneArgs) == 88);
constexpr std::uint64_t kCloneIntoCgroup = 0x200000000ULL;

}  // namespace
}  // namespace arbor::host

#if defined(__x86_64__)
// long arbor_clone3_raw(CloneArgs* args, size_t size, int (*fn)(void*), void* arg)
//                       %rdi              %rsi         %rdx              %rcx
// `syscall` clobbers only %rcx and %r11, so fn and arg wait in %r8 and %r9. The child
// starts with %rsp at stack + stack_size (the kernel's doing for clone3), %rax 0.
extern "C" long arbor_clone3_raw(void* args, std::size_t size, int (*fn)(void*), void* arg);
asm(R"(
  .text
  .globl arbor_clone3_raw
  .hidden arbor_clone3_raw
  .type arbor_clone3_raw, @function
arbor_clone3_raw:
  .cfi_startproc
  movq %rdx, %r8
  movq %rcx, %r9
  movl $435, %eax
  syscall
  testq %rax, %rax
  jz 1f
  ret
1:
  .cfi_undefined %rip
  xorl %ebp, %ebp
  andq $-16, %rsp
  movq %r9, %rdi
  call *%r8
  movl %eax, %edi
  movl $60, %eax
  syscall
  hlt
  .cfi_endproc
  .size arbor_clone3_raw, . - arbor_clone3_raw
)");
#endif

namespace arbor::host {

namespace {
bool g_disabled = false;
}  // namespace

bool have_clone3_trampoline() noexcept {
#if defined(__x86_64__)
  return !g_disabled;
#else
  return false;
#endif
}

void disable_clone3_for_testing() noexcept { g_disabled = true; }

long clone_into_cgroup(unsigned long flags, int exit_signal, int cgroup_fd, void* stack, std::size_t size,
                       int (*fn)(void*), void* arg) noexcept {
#if defined(__x86_64__)
  CloneArgs args{};
  args.flags = static_cast<std::uint64_t>(flags) | kCloneIntoCgroup;
  args.exit_signal = static_cast<std::uint64_t>(exit_signal);
  args.stack = reinterpret_cast<std::uintptr_t>(stack);
  args.stack_size = size;
  args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
  return arbor_clone3_raw(&args, sizeof args, fn, arg);
#else
  (void)flags, (void)exit_signal, (void)cgroup_fd, (void)stack, (void)size, (void)fn, (void)arg;
  return -ENOSYS;
#endif
}

}  // namespace arbor::host
