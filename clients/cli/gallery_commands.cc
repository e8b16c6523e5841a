#include "clients/cli/gallery_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/client_config.h"
#include "clients/cli/formatting.h"
#include "clients/cli/gallery_dir.h"
#include "clients/cli/output.h"
#include "kvo/v1/gallery.grpc.pb.h"
#include "services/common/card_words.h"
#include "services/common/dutch_date.h"

namespace kvo::cli {
namespace {

namespace fs = std::filesystem;
using kvo::v1::GalleryService;

// Uploads travel in chunks well under gRPC's message limit.
constexpr size_t kChunkBytes = 256 * 1024;

struct Args {
  int64_t id = 0;
  std::string file;
  std::string dir;
  std::string out;
};

int RunPhotoAdd(const GlobalOptions& opts, const Args& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return ReportError(absl::StrCat("FILE: cannot read ", a.file));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  kvo::v1::PhotoInfo info;
  grpc::Status status = UploadPhotoBytes(connection, a.id, bytes, &info);
  if (!status.ok()) return ReportRpcError(status);
  PrintRecord({{"person", Value::Int(info.person_id())},
               {"uploaded_format", info.source_format()},
               {"stored", absl::StrCat(info.width(), "x", info.height(),
                                       " JPEG, metadata removed")},
               {"thumbnail", absl::StrCat(info.thumbnail_width(), "x",
                                          info.thumbnail_height())}},
              opts.Style());
  return kExitOk;
}

int RunPhotoGet(const GlobalOptions& opts, const Args& a) {
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto stub = GalleryService::NewStub(connection.channel);
  auto ctx = connection.Context();
  kvo::v1::GetPhotoRequest req;
  req.set_entry_id(a.id);
  kvo::v1::Photo photo;
  grpc::Status status = stub->GetPhoto(ctx.get(), req, &photo);
  if (!status.ok()) return ReportRpcError(status);
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  out << photo.jpeg();
  out.close();
  if (!out) return ReportError(absl::StrCat("cannot write ", a.out), 1);
  PrintRecord({{"entry", Value::Int(photo.entry_id())},
               {"photo", a.out},
               {"size", absl::StrCat(photo.width(), "x", photo.height())}},
              opts.Style());
  return kExitOk;
}

// Sets (or, with an empty `dir`, clears) the gallery folder the config
// remembers.
absl::Status RememberGallery(const fs::path& config_path,
                             const std::string& dir) {
  std::string error;
  auto config = LoadClientConfig(config_path, &error);
  if (!config) return absl::FailedPreconditionError(error);
  if (config->gallery_dir == dir) return absl::OkStatus();
  config->gallery_dir = dir;
  if (!SaveClientConfig(config_path, *config, &error)) {
    return absl::UnavailableError(error);
  }
  return absl::OkStatus();
}

std::string Absolute(const std::string& dir) {
  std::error_code ec;
  const fs::path abs = fs::absolute(dir, ec);
  return ec ? dir : abs.lexically_normal().string();
}

int RunGallerySync(const GlobalOptions& opts, const Args& a) {
  auto dir = GalleryDir::Open(a.dir);
  if (!dir.ok()) return ReportError(std::string(dir.status().message()));
  Connection connection;
  if (int rc = Connect(opts, &connection); rc != kExitOk) return rc;
  auto stub = GalleryService::NewStub(connection.channel);
  auto ctx = connection.Context();
  kvo::v1::SyncGalleryRequest req;
  req.set_since_version(dir->version());
  auto reader = stub->SyncGallery(ctx.get(), req);
  std::vector<kvo::v1::GalleryUpdate> updates;
  kvo::v1::GalleryUpdate u;
  int added = 0, removed = 0;
  while (reader->Read(&u)) {
    added += u.has_entry() ? 1 : 0;
    removed += u.update_case() == u.kRemovedEntryId ? 1 : 0;
    updates.push_back(u);
  }
  grpc::Status status = reader->Finish();
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    // Suspended, ended or unknown session: this device may no longer hold
    // the gallery.
    if (auto s = GalleryDir::Wipe(a.dir); !s.ok()) {
      ReportError(std::string(s.message()), kExitFailed);
    } else {
      std::cerr << "kvo: the session is no longer valid; the gallery folder "
                << a.dir << " was wiped" << std::endl;
    }
    const std::string remembered = Absolute(a.dir);
    std::string error;
    auto config = LoadClientConfig(ConfigPath(opts), &error);
    if (config && config->gallery_dir == remembered) {
      RememberGallery(ConfigPath(opts), "").IgnoreError();
    }
    return ReportRpcError(status);
  }
  if (!status.ok()) return ReportRpcError(status);
  // Only a complete sync (ending in its version) changes the folder.
  if (updates.empty() || !updates.back().has_version()) {
    return ReportError("the server ended the sync without a version", 1);
  }
  if (auto s = dir->Apply(updates, absl::Now()); !s.ok()) {
    return ReportError(std::string(s.message()), 1);
  }
  // So that `kvo logout` can wipe it.
  if (auto s = RememberGallery(ConfigPath(opts), Absolute(a.dir)); !s.ok()) {
    return ReportError(std::string(s.message()), 1);
  }
  PrintRecord({{"version", Value::Int(dir->version())},
               {"new_or_changed", Value::Int(added)},
               {"removed", Value::Int(removed)},
               {"entries", Value::Int(dir->entries().size())}},
              opts.Style());
  return kExitOk;
}

int RunGalleryShow(const GlobalOptions& opts, const Args& a) {
  auto dir = GalleryDir::Open(a.dir);
  if (!dir.ok()) return ReportError(std::string(dir.status().message()));
  const absl::Time now = absl::Now();
  // A copy that has not been in step for too long may show people whose
  // card was revoked: refused until the next sync.
  const absl::Duration allowed = absl::Hours(dir->max_offline_hours());
  if (!dir->synced_at()) {
    return ReportError(
        "galerij niet getoond: nog nooit bijgewerkt; synchroniseer eerst "
        "(kvo gallery sync)",
        kExitFailed);
  }
  if (now - *dir->synced_at() > allowed) {
    return ReportError(
        absl::StrCat("galerij niet getoond: laatst bijgewerkt ",
                     FormatDutchTime(*dir->synced_at()), ", langer dan ",
                     dir->max_offline_hours(),
                     " uur geleden; synchroniseer eerst (kvo gallery sync)"),
        kExitFailed);
  }
  // The person at the door reads the card in the words the door page uses
  // (a shop's own ban named apart from the collective cards) and its last
  // whole day, under headings in their language; a script reads kvo's keys
  // with the code and the end as a time.
  const OutputStyle style = opts.Style();
  const std::string lang = style.lang == Lang::kEn ? "en" : "nl";
  Table t;
  if (style.json) {
    t.columns = {"entry",       "kind",        "label",    "name",
                 "description", "valid_until", "last_day", "photo"};
  } else if (style.lang == Lang::kEn) {
    t.columns = {"no", "card", "name", "description", "valid_through", "photo"};
  } else {
    t.columns = {"nr",  "kaart", "naam", "omschrijving", "geldig_tot_en_met",
                 "foto"};
  }
  for (const auto& [id, e] : dir->entries()) {
    // Past its end an entry is not shown, even before the next sync.
    if (e.valid_until <= now) continue;
    const std::string label = common::DoorCardLabel(e.card_kind(), lang);
    const std::string last_day =
        absl::FormatCivilTime(common::LastWholeDay(e.valid_until));
    const Value photo =
        e.has_thumbnail ? Value(absl::StrCat(id, ".jpg")) : Value::Null();
    if (style.json) {
      t.rows.push_back({Value::Int(id), CardKindValue(e.card_kind()), label,
                        e.name, e.description, Value::Time(e.valid_until),
                        Value::Day(last_day), photo});
    } else {
      t.rows.push_back({Value::Int(id), label, e.name, e.description,
                        Value::Day(last_day), photo});
    }
  }
  PrintTable(t, opts.Style());
  return kExitOk;
}

}  // namespace

grpc::Status UploadPhotoBytes(const Connection& connection, int64_t person_id,
                              const std::string& bytes,
                              kvo::v1::PhotoInfo* info) {
  auto stub = GalleryService::NewStub(connection.channel);
  auto ctx = connection.Context();
  auto writer = stub->UploadPhoto(ctx.get(), info);
  kvo::v1::UploadPhotoRequest part;
  part.set_person_id(person_id);
  bool open = writer->Write(part);
  for (size_t at = 0; open && at < bytes.size(); at += kChunkBytes) {
    part.set_chunk(bytes.substr(at, kChunkBytes));
    open = writer->Write(part);
  }
  writer->WritesDone();
  return writer->Finish();
}

absl::Status WipeRememberedGallery(const fs::path& config_path) {
  std::string error;
  auto config = LoadClientConfig(config_path, &error);
  if (!config) return absl::FailedPreconditionError(error);
  if (config->gallery_dir.empty()) return absl::OkStatus();
  if (auto s = GalleryDir::Wipe(config->gallery_dir); !s.ok()) return s;
  return RememberGallery(config_path, "");
}

void AddGalleryCommands(CLI::App* app, const GlobalOptions* opts,
                        std::function<int()>* action) {
  auto a = std::make_shared<Args>();
  auto* photo = app->add_subcommand("photo", "photos of persons");
  photo->require_subcommand(1);
  auto* add = photo->add_subcommand(
      "add", "upload a photo (JPEG, PNG, WebP) of a person with a card");
  add->add_option("PERSON", a->id, "person id")
      ->required()
      ->check(PositiveInteger());
  add->add_option("FILE", a->file, "image file")->required();
  OnSelected(add, action, opts, a, RunPhotoAdd);
  auto* get = photo->add_subcommand("get", "the full photo of a gallery entry");
  get->add_option("ENTRY", a->id, "gallery entry id")
      ->required()
      ->check(PositiveInteger());
  get->add_option("--out", a->out, "JPEG file to write")->required();
  OnSelected(get, action, opts, a, RunPhotoGet);

  auto* gallery = app->add_subcommand("gallery", "the door gallery");
  gallery->require_subcommand(1);
  auto* sync = gallery->add_subcommand(
      "sync",
      "bring a local folder of thumbnails in step with the server, one entry "
      "per person (shopkeeper, security, police, coordinator of the area). "
      "The folder is 0700, its files 0600; it is wiped when the session is "
      "no longer valid and on kvo logout");
  sync->add_option("--dir", a->dir, "gallery folder")->required();
  OnSelected(sync, action, opts, a, RunGallerySync);
  auto* show = gallery->add_subcommand(
      "show",
      "list the local gallery (no server call); refused when the last "
      "successful sync is older than the policy's door.max_offline_hours");
  show->add_option("--dir", a->dir, "gallery folder")->required();
  OnSelected(show, action, opts, a, RunGalleryShow);
}

}  // namespace kvo::cli
