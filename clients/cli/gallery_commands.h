#ifndef KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
#define KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>

#include "absl/status/status.h"
#include "clients/cli/global_options.h"
#include "kvo/v1/gallery.pb.h"

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

// Uploads `bytes` as the photo of `person_id` (GalleryService.UploadPhoto,
// in chunks) with the session of `connection`.
grpc::Status UploadPhotoBytes(const Connection& connection, int64_t person_id,
                              const std::string& bytes,
                              kvo::v1::PhotoInfo* info);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_GALLERY_COMMANDS_H_
