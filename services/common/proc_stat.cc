#include "services/common/proc_stat.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace kvo::common {

std::vector<std::string> ProcStatFields(pid_t pid) {
  if (pid <= 0) return {};
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

bool ProcessAlive(pid_t pid) {
  const auto fields = ProcStatFields(pid);
  return !fields.empty() && fields[0] != "Z";
}

}  // namespace kvo::common
