#ifndef KVO_SERVICES_COMMON_PROC_STAT_H_
#define KVO_SERVICES_COMMON_PROC_STAT_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace kvo::common {

// The fields of /proc/PID/stat (proc(5)) after the parenthesised command
// name, which may itself hold spaces and parentheses: [0] is the state
// (field 3), [1] the parent pid, [11]/[12] utime/stime, [16] the niceness.
// Empty when the process is gone or the file is unreadable.
std::vector<std::string> ProcStatFields(pid_t pid);

// Whether `pid` runs: it exists and is not a zombie.
bool ProcessAlive(pid_t pid);

}  // namespace kvo::common

#endif  // KVO_SERVICES_COMMON_PROC_STAT_H_
