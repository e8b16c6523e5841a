#include "clients/cli/client_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace kvo::cli {

namespace fs = std::filesystem;

fs::path DefaultConfigPath() {
  if (const char* env = std::getenv("KVO_CONFIG"); env != nullptr && *env) {
    return env;
  }
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / ".config" / "kvo" / "config";
}

std::optional<ClientConfig> LoadClientConfig(const fs::path& path,
                                             std::string* error) {
  ClientConfig config;
  std::ifstream in(path);
  if (!in) return config;  // no file yet: all defaults
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    absl::string_view view = absl::StripAsciiWhitespace(line);
    if (view.empty() || view.front() == '#') continue;
    auto eq = view.find('=');
    if (eq == absl::string_view::npos) {
      *error =
          absl::StrCat(path.string(), ":", line_no, ": expected key = value");
      return std::nullopt;
    }
    absl::string_view key = absl::StripAsciiWhitespace(view.substr(0, eq));
    std::string value(absl::StripAsciiWhitespace(view.substr(eq + 1)));
    if (key == "server") {
      config.server = value;
    } else if (key == "ca") {
      config.ca_file = value;
    } else if (key == "token") {
      config.token = value;
    } else if (key == "gallery_dir") {
      config.gallery_dir = value;
    } else {
      *error = absl::StrCat(path.string(), ":", line_no, ": unknown key '", key,
                            "' (known: server, ca, token, gallery_dir)");
      return std::nullopt;
    }
  }
  return config;
}

bool SaveClientConfig(const fs::path& path, const ClientConfig& config,
                      std::string* error) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error =
        absl::StrCat("cannot write ", tmp.string(), ": ", std::strerror(errno));
    return false;
  }
  std::string text = absl::StrCat("# written by kvo; holds a session token\n",
                                  "server = ", config.server, "\n",
                                  "ca = ", config.ca_file, "\n");
  if (!config.token.empty())
    absl::StrAppend(&text, "token = ", config.token, "\n");
  if (!config.gallery_dir.empty())
    absl::StrAppend(&text, "gallery_dir = ", config.gallery_dir, "\n");
  bool ok = ::write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = absl::StrCat("cannot write ", path.string(), ": ",
                          std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace kvo::cli
