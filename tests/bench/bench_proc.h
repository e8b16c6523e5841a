// What the benches read of kvod and its embedded PostgreSQL from /proc:
// CPU seconds and memory, to say what a request costs the machine rather
// than only how fast it came back.
#ifndef KVO_TESTS_BENCH_BENCH_PROC_H_
#define KVO_TESTS_BENCH_BENCH_PROC_H_

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "services/common/proc_stat.h"

namespace kvo::testing {

// CPU seconds (user + system) of `pid`, with its reaped children's when
// `children`; 0 when unreadable.
inline double CpuSeconds(pid_t pid, bool children) {
  const auto f = common::ProcStatFields(pid);
  // Fields 14-17 of stat(5), counted here from field 3 (state) on.
  if (f.size() < 15) return 0;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The parent pid of `pid` (0 when unreadable).
inline pid_t ParentOf(pid_t pid) {
  const auto f = common::ProcStatFields(pid);
  pid_t parent = 0;
  if (f.size() < 2 || !absl::SimpleAtoi(f[1], &parent)) return 0;
  return parent;
}

// The embedded cluster's postmaster under kvod's data directory (0 when
// none runs there).
inline pid_t PostmasterOf(const std::filesystem::path& data_dir) {
  std::ifstream pid_file(data_dir / "pg" / "postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  return postmaster;
}

// The postmaster and its live children.
inline std::vector<pid_t> PostgresProcesses(pid_t postmaster) {
  std::vector<pid_t> out;
  if (postmaster <= 0) return out;
  out.push_back(postmaster);
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(e.path().filename().string(), &pid)) continue;
    if (ParentOf(pid) == postmaster) out.push_back(pid);
  }
  return out;
}

// Where the CPU went: kvod, PostgreSQL (the postmaster, its live children
// and the ones that exited), and this process (the clients).
struct CpuSample {
  double kvod = 0, postgres = 0, self = 0;
};
inline CpuSample SampleCpu(pid_t kvod, const std::filesystem::path& data) {
  CpuSample s;
  s.kvod = CpuSeconds(kvod, false);
  const pid_t postmaster = PostmasterOf(data);
  for (pid_t pid : PostgresProcesses(postmaster)) {
    s.postgres += CpuSeconds(pid, pid == postmaster);
  }
  rusage self{}, kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  s.self = secs(self.ru_utime) + secs(self.ru_stime) + secs(kids.ru_utime) +
           secs(kids.ru_stime);
  return s;
}

// A "Key:   123 kB" line of /proc/PID/status or smaps_rollup, in MB (0 when
// absent).
inline double ProcKbField(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    int64_t kb = 0;
    std::string digits;
    for (char c : line.substr(key.size() + 1)) {
      if (c >= '0' && c <= '9') digits += c;
    }
    if (absl::SimpleAtoi(digits, &kb)) return kb / 1024.0;
  }
  return 0;
}

// Memory in MB: kvod's resident set now and at its peak, and PostgreSQL's
// proportional set (shared buffers counted once over its processes).
struct MemorySample {
  double kvod_rss = 0, kvod_peak = 0, postgres_pss = 0;
};
inline MemorySample SampleMemory(pid_t kvod,
                                 const std::filesystem::path& data) {
  MemorySample m;
  const std::string status = "/proc/" + std::to_string(kvod) + "/status";
  m.kvod_rss = ProcKbField(status, "VmRSS");
  m.kvod_peak = ProcKbField(status, "VmHWM");
  for (pid_t pid : PostgresProcesses(PostmasterOf(data))) {
    m.postgres_pss +=
        ProcKbField("/proc/" + std::to_string(pid) + "/smaps_rollup", "Pss");
  }
  return m;
}

// The 1-minute load average, to print beside a figure.
inline double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

}  // namespace kvo::testing

#endif  // KVO_TESTS_BENCH_BENCH_PROC_H_
