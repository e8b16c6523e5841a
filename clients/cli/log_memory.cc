#include "clients/cli/log_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"

namespace kvo::cli {
namespace {

namespace fs = std::filesystem;
using common::HexDecode;
using common::HexEncode;

// server -> the last line of that server.
std::optional<std::map<std::string, LogMemory>> ReadAll(const fs::path& path,
                                                        std::string* error) {
  std::map<std::string, LogMemory> all;
  std::ifstream in(path);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    LogMemory m;
    auto key = f.size() == 4 ? HexDecode(f[1]) : std::nullopt;
    auto root = f.size() == 4 ? HexDecode(f[3]) : std::nullopt;
    if (!key || (key->size() != 32 && !key->empty()) ||
        !absl::SimpleAtoi(f[2], &m.tree_size) || !root ||
        (root->size() != 32 && !root->empty())) {
      *error = absl::StrCat(path.string(), ":", line_no,
                            ": damaged (expected SERVER KEY SIZE ROOT); move "
                            "it aside only if you know why it changed");
      return std::nullopt;
    }
    m.public_key = *key;
    m.root_hash = *root;
    all[f[0]] = m;
  }
  return all;
}

}  // namespace

fs::path LogMemoryPath(const fs::path& config_path) {
  return config_path.parent_path() / "audit-trust";
}

std::optional<LogMemory> LoadLogMemory(const fs::path& path,
                                       const std::string& server,
                                       std::string* error) {
  auto all = ReadAll(path, error);
  if (!all) return std::nullopt;
  auto it = all->find(server);
  return it == all->end() ? LogMemory{} : it->second;
}

bool SaveLogMemory(const fs::path& path, const std::string& server,
                   const LogMemory& memory, std::string* error) {
  auto all = ReadAll(path, error);
  if (!all) return false;
  if (auto it = all->find(server); it != all->end() &&
                                   it->second.public_key == memory.public_key &&
                                   it->second.tree_size == memory.tree_size &&
                                   it->second.root_hash == memory.root_hash) {
    return true;  // nothing new
  }
  // Every head checked stays on record, one line each; the last line of a
  // server is what the next check holds the log to.
  std::string text;
  if (!fs::exists(path)) {
    text = "# kvo: audit log keys and the tree heads checked, per server\n";
  }
  absl::StrAppend(&text, server, " ", HexEncode(memory.public_key), " ",
                  memory.tree_size, " ", HexEncode(memory.root_hash), "\n");
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const bool ok = fd >= 0 &&
                  ::write(fd, text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    *error = absl::StrCat("cannot write ", path.string(), ": ",
                          std::strerror(errno));
    return false;
  }
  return true;
}

std::optional<LogMemory> ParsePinnedHead(const std::string& text) {
  std::vector<std::string> f = absl::StrSplit(text, ':');
  LogMemory m;
  if (f.size() != 2 || !absl::SimpleAtoi(f[0], &m.tree_size) ||
      m.tree_size == 0) {
    return std::nullopt;
  }
  auto root = HexDecode(f[1]);
  if (!root || root->size() != 32) return std::nullopt;
  m.root_hash = *root;
  return m;
}

}  // namespace kvo::cli
