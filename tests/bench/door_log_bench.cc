// What kvod's log costs under door load (issue 12, "Logs that an operator
// can keep"): shop devices polling SyncGallery with nothing new. Runs
// kNoChangeSyncs such syncs from a few threads against the real kvod and
// prints the bytes its log grew by, per 1000 syncs, counting everything kvod
// writes for them up to and including its shutdown.
//   door_log_bench [--log-file]   the second form logs to a file instead of
//                                 stderr (the figure is the same)

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "kvo/v1/gallery.grpc.pb.h"
#include "tests/support/kvod_fixture.h"

namespace kvo::testing {
namespace {

namespace fs = std::filesystem;
using namespace kvo::v1;

constexpr int kNoChangeSyncs = 4000;
constexpr int kThreads = 4;

// One sync; the version it ends with (-1 when it failed).
int64_t Sync(GalleryService::Stub& gallery, const std::string& token,
             int64_t since) {
  SyncGalleryRequest req;
  req.set_since_version(since);
  auto ctx = Ctx(token);
  auto reader = gallery.SyncGallery(ctx.get(), req);
  GalleryUpdate u;
  int64_t version = -1;
  while (reader->Read(&u)) {
    if (u.has_version()) version = u.version().version();
  }
  return reader->Finish().ok() ? version : -1;
}

// What kvod has logged so far.
uintmax_t LogBytes(KvodEnv& env, const fs::path& log_file) {
  if (log_file.empty()) return env.kvod_->process().Stderr().size();
  uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(log_file.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(log_file.filename().string(),
                                               0) == 0) {
      total += entry.file_size();
    }
  }
  return total;
}

int Main(int argc, char** argv) {
  const bool to_file = argc > 1 && std::strcmp(argv[1], "--log-file") == 0;
  KvodEnv env;
  env.policy_edits_ = {
      {"gallery_syncs_per_hour: 600", "gallery_syncs_per_hour: 2000000000"}};
  // Created by TempDir below before kvod starts (KvodEnv owns tmp_).
  fs::path log_file;
  if (to_file) {
    log_file = env.tmp_.path() / "logs" / "kvod.log";
    fs::create_directories(log_file.parent_path());
    env.extra_kvod_args_ = {"--log-file=" + log_file.string()};
  }
  env.SetUp();
  if (env.kvod_ == nullptr || env.admin_.empty()) {
    std::fprintf(stderr, "bench: kvod did not start\n");
    return 1;
  }
  int64_t door_id = 0;
  const std::string door =
      env.MakeUser("bakker", ROLE_SHOPKEEPER, {env.area_a_}, &door_id);
  env.AdmitToDoor(env.area_a_, {door_id});  // licence first
  auto gallery = GalleryService::NewStub(env.kvod_->Channel());
  const int64_t version = Sync(*gallery, door, 0);
  if (version < 0) {
    std::fprintf(stderr, "bench: the first sync failed\n");
    return 1;
  }
  // Let what was logged so far reach the log.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const uintmax_t before = LogBytes(env, log_file);

  std::atomic<int> failed{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kNoChangeSyncs / kThreads; ++i) {
        if (Sync(*gallery, door, version) != version) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  // Everything kvod owes for these syncs, its shutdown summary included.
  if (env.kvod_->Stop() != 0) {
    std::fprintf(stderr, "bench: kvod did not stop cleanly\n");
  }
  const uintmax_t after = LogBytes(env, log_file);
  std::printf(
      "door log: %d no-change syncs (%d failed) in %.1f s (%.0f/s), "
      "%s grew %ju bytes: %.0f bytes per 1000 syncs\n",
      kNoChangeSyncs, failed.load(), seconds, kNoChangeSyncs / seconds,
      to_file ? "log file" : "stderr", after - before,
      (after - before) * 1000.0 / kNoChangeSyncs);
  env.kvod_.reset();
  env.TearDown();
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kvo::testing

int main(int argc, char** argv) { return kvo::testing::Main(argc, argv); }
