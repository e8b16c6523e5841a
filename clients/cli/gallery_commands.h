#ifndef KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
#define KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "clients/cli/global_options.h"

namespace kvo::cli {

// Registers the GalleryService commands on `app`: photo {add,get} and
// gallery {sync,show}. The chosen command stores its work in `action`.
// `opts` and `action` must outlive `app`.
void AddGalleryCommands(CLI::App* app, const GlobalOptions* opts,
                        std::function<int()>* action);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
