#ifndef KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
#define KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>

#include "absl/status/status.h"
#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the GalleryService commands on `app`: photo {add,get} and
// gallery {sync,show}. The chosen command stores its work in `action`.
// `opts` and `action` must outlive `app`.
void AddGalleryCommands(CLI::App* app, const GlobalOptions* opts,
                        std::function<int()>* action);

// Wipes the door gallery folder the config at `config_path` remembers (see
// GalleryDir::Wipe) and forgets it; ok when there is none. For `kvo
// logout`: a device that is logged out keeps no gallery.
absl::Status WipeRememberedGallery(const std::filesystem::path& config_path);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
