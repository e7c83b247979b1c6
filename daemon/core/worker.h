// Worker: a child that is one OS process (group), started and signalled through the Host.
#pragma once

#include "daemon/core/node.h"

namespace arbor::core {

class Worker final : public Node {
 public:
  using Node::Node;
  ~Worker() override;

  void start() override;
  void stop() override;
  bool is_worker() const override { return true; }

  // Host results for this worker's current spawn token.
  void on_spawned(int pid);
  void on_spawn_failed(const std::string& error);
  void on_ready();
  void on_exited(ExitStatus status);
  // The latest STATUS= text the process sent (sd_notify); cleared at each spawn.
  void on_status_text(std::string text) { status_text_ = std::move(text); }

  // Sends `signo` to the running process group (arborctl signal). False if not running.
  bool send_signal(int signo);

  std::optional<int> pid() const { return pid_; }
  Millis started_at() const { return started_at_; }
  const std::optional<ExitStatus>& last_exit() const { return last_exit_; }
  const std::optional<std::string>& status_text() const { return status_text_; }

  // Backoff bookkeeping: the delay before the next automatic restart (0 without backoff).
  Millis next_backoff_delay(double random_unit);

 private:
  void begin_stop();
  void become_running();
  void on_ready_timeout();
  void on_kill_timeout();
  void finish_process();
  ExitReason classify(ExitStatus status) const;

  SpawnToken token_ = 0;
  std::optional<int> pid_;
  Millis started_at_ = 0;
  Millis last_uptime_ = 0;
  std::optional<ExitStatus> last_exit_;
  std::optional<std::string> status_text_;
  bool stop_pending_ = false;  // stop() came before the host said spawned
  bool ready_timed_out_ = false;
  TimerToken ready_timer_ = 0;
  TimerToken kill_timer_ = 0;
  int consecutive_restarts_ = 0;
};

std::string describe(ExitStatus status);

}  // namespace arbor::core
