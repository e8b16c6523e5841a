#ifndef KVO_CLIENTS_CLI_LOG_MEMORY_H_
#define KVO_CLIENTS_CLI_LOG_MEMORY_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace kvo::cli {

// What kvo remembers of an audit log it checked, per server: the signing key
// it pinned the first time (the database's key table is not trusted) and the
// last tree head it found consistent, so a later head that rewrites history
// fails. Kept in `audit-trust` beside the config file, mode 0600, one line
// per head checked.
struct LogMemory {
  std::string public_key;  // raw 32 bytes; empty: none pinned yet
  uint64_t tree_size = 0;
  std::string root_hash;  // raw 32 bytes; empty: no head remembered yet
};

// <dir of the config file>/audit-trust.
std::filesystem::path LogMemoryPath(const std::filesystem::path& config_path);

// What is remembered for `server` (empty when nothing); nullopt with
// `error` ("<file>:<line>: ...") when the file is damaged.
std::optional<LogMemory> LoadLogMemory(const std::filesystem::path& path,
                                       const std::string& server,
                                       std::string* error);
// Appends `memory` as the latest of `server` (every head checked stays on
// record; nothing is written when it is the latest already).
bool SaveLogMemory(const std::filesystem::path& path, const std::string& server,
                   const LogMemory& memory, std::string* error);

// "SIZE:ROOT_HEX" (--pin-head) into a size and raw root; nullopt when
// malformed.
std::optional<LogMemory> ParsePinnedHead(const std::string& text);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_LOG_MEMORY_H_
