#ifndef KVO_CLIENTS_CLI_CLIENT_CONFIG_H_
#define KVO_CLIENTS_CLI_CLIENT_CONFIG_H_

#include <filesystem>
#include <optional>
#include <string>

namespace kvo::cli {

// The local defaults of `kvo`: where the server is, which CA to trust, the
// session token `kvo login` stores and the door gallery folder `kvo gallery
// sync` keeps (so that `kvo logout` can wipe it). A small "key = value" file,
// mode 0600 because it holds the token.
struct ClientConfig {
  std::string server;
  std::string ca_file;
  std::string token;
  std::string gallery_dir;  // absolute
};

// $KVO_CONFIG, else $HOME/.config/kvo/config.
std::filesystem::path DefaultConfigPath();

// A missing file gives an empty config; a malformed line is an error
// ("<file>:<line>: ..."), returned in `error`.
std::optional<ClientConfig> LoadClientConfig(const std::filesystem::path& path,
                                             std::string* error);
bool SaveClientConfig(const std::filesystem::path& path,
                      const ClientConfig& config, std::string* error);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_CLIENT_CONFIG_H_
