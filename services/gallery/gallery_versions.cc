#include "services/gallery/gallery_versions.h"

#include <pqxx/notification>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"
#include "services/common/log.h"

namespace kvo::gallery {
namespace {

constexpr auto kRoundGap = std::chrono::milliseconds(5);

// Collects the areas named by notifications until the loop reads them.
class AreaReceiver final : public pqxx::notification_receiver {
 public:
  AreaReceiver(pqxx::connection_base& conn, absl::string_view self)
      : pqxx::notification_receiver(conn, PgGalleryStore::kChannel),
        self_(self) {}
  void operator()(const std::string& payload, int) override {
    std::vector<absl::string_view> parts = absl::StrSplit(payload, ' ');
    int64_t area = 0, version = 0;
    // This process's own sequencer already applied its rounds (Sequence):
    // re-reading them would cost a query per round for nothing.
    if (payload == PgGalleryStore::kAdmissionChanged) {
      admission_changed = true;
      return;
    }
    if (parts.size() == 3 && parts[2] == self_) return;
    if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &area) &&
        absl::SimpleAtoi(parts[1], &version)) {
      areas.insert(area);
      newest = std::max(newest, version);
    }
  }
  std::set<int64_t> areas;
  int64_t newest = 0;
  bool admission_changed = false;

 private:
  const std::string self_;
};

}  // namespace

GalleryVersions::GalleryVersions(common::DbPool& pool)
    : pool_(pool), origin_(common::HexEncode(common::RandomBytes(8))) {}

void GalleryVersions::Start() {
  stop_ = false;
  listener_ = std::thread([this] { Listen(); });
  sequencer_ = std::thread([this] { Sequence(); });
}

void GalleryVersions::Stop() {
  {
    std::lock_guard<std::mutex> lock(seq_mu_);
    stop_ = true;
  }
  seq_cv_.notify_all();
  if (listener_.joinable()) listener_.join();
  if (sequencer_.joinable()) sequencer_.join();
}

std::optional<GalleryVersions::View> GalleryVersions::Lookup(
    absl::Span<const int64_t> areas, absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!trusted_) return std::nullopt;
  return ViewOf(areas, now);
}

std::optional<GalleryVersions::View> GalleryVersions::LastKnown(
    absl::Span<const int64_t> areas, absl::Time now,
    absl::Duration within) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (trusted_) return ViewOf(areas, now);
  if (lost_at_ == std::chrono::steady_clock::time_point() ||
      std::chrono::steady_clock::now() - lost_at_ >=
          absl::ToChronoNanoseconds(within)) {
    return std::nullopt;
  }
  return ViewOf(areas, now);
}

GalleryVersions::View GalleryVersions::ViewOf(absl::Span<const int64_t> areas,
                                              absl::Time now) const {
  View view;
  view.newest = newest_;
  for (int64_t area : areas) {
    auto it = areas_.find(area);
    view.area_versions.push_back(it == areas_.end() ? 0 : it->second.version);
    if (it == areas_.end()) continue;
    view.version = std::max(view.version, it->second.version);
    if (it->second.next_expiry && *it->second.next_expiry <= now) {
      view.expiry_due = true;
    }
  }
  return view;
}

std::vector<int64_t> GalleryVersions::DueAreas(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int64_t> due;
  for (const auto& [area, state] : areas_) {
    if (state.next_expiry && *state.next_expiry <= now) due.push_back(area);
  }
  return due;
}

void GalleryVersions::Advance(int64_t area, int64_t version,
                              std::optional<absl::Time> expiry) {
  std::lock_guard<std::mutex> lock(mu_);
  AreaState& s = areas_[area];
  s.version = std::max(s.version, version);
  newest_ = std::max(newest_, version);
  if (expiry && (!s.next_expiry || *expiry < *s.next_expiry)) {
    s.next_expiry = expiry;
  }
}

void GalleryVersions::RequestSequencing(absl::Span<const int64_t> areas) {
  {
    std::lock_guard<std::mutex> lock(seq_mu_);
    ++seq_requested_;
    for (int64_t area : areas) seq_asked_[area] = seq_requested_;
  }
  seq_cv_.notify_all();
}

void GalleryVersions::AwaitSequencing(absl::Span<const int64_t> areas) {
  std::unique_lock<std::mutex> lock(seq_mu_);
  uint64_t asked = 0;
  for (int64_t area : areas) {
    auto it = seq_asked_.find(area);
    if (it != seq_asked_.end()) asked = std::max(asked, it->second);
  }
  if (seq_completed_ >= asked) return;
  if (!seq_cv_.wait_for(lock, std::chrono::seconds(1),
                        [&] { return seq_completed_ >= asked || stop_; })) {
    common::LogWarn("gallery changes not sequenced within a second");
  }
}

bool GalleryVersions::SequencingPending(absl::Span<const int64_t> areas) const {
  std::lock_guard<std::mutex> lock(seq_mu_);
  for (int64_t area : areas) {
    auto it = seq_asked_.find(area);
    if (it != seq_asked_.end() && it->second > seq_completed_) return true;
  }
  return false;
}

void GalleryVersions::Sequence() {
  std::unique_lock<std::mutex> lock(seq_mu_);
  while (!stop_) {
    seq_cv_.wait(lock,
                 [&] { return stop_ || seq_requested_ > seq_completed_; });
    if (stop_) break;
    // Every writer that asked before this point committed before asking:
    // the transaction below sees their changes.
    const uint64_t round = seq_requested_;
    lock.unlock();
    auto done = pool_.InTransaction(
        "sequence gallery changes",
        [&](pqxx::work& tx) -> absl::StatusOr<Sequenced> {
          return PgGalleryStore::SequencePending(tx, origin_);
        });
    if (done.ok()) {
      for (int64_t area : done->areas) Advance(area, done->version);
    } else {
      common::LogWarn("gallery changes not sequenced yet",
                      {{"detail", done.status().message()}});
      absl::SleepFor(absl::Milliseconds(100));
    }
    lock.lock();
    if (done.ok()) seq_completed_ = round;
    seq_cv_.notify_all();
    // Let writers gather for the next round: a few milliseconds of delay
    // before a change shows at the door, far fewer transactions under load.
    seq_cv_.wait_for(lock, kRoundGap, [&] { return stop_.load(); });
  }
}

void GalleryVersions::Set(const std::map<int64_t, AreaState>& states,
                          int64_t newest) {
  std::lock_guard<std::mutex> lock(mu_);
  newest_ = std::max(newest_, newest);
  for (const auto& [area, state] : states) {
    AreaState& s = areas_[area];
    s.version = std::max(s.version, state.version);
    s.next_expiry = state.next_expiry;
  }
}

bool GalleryVersions::WaitUntilTrusted(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (trusted_) return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

void GalleryVersions::Listen() {
  while (!stop_) {
    try {
      pqxx::connection conn(pool_.conninfo());
      AreaReceiver receiver(conn, origin_);
      // Listening first, then loading: nothing committed in between is
      // missed.
      auto load = [&](const std::vector<int64_t>& areas) {
        pqxx::read_transaction tx(conn);
        auto states = PgGalleryStore::AreaStates(tx, areas);
        tx.commit();
        return states;
      };
      {
        pqxx::read_transaction tx(conn);
        auto all = PgGalleryStore::AreaStates(tx, {});
        const int64_t newest = PgGalleryStore::CurrentVersion(tx);
        tx.commit();
        std::lock_guard<std::mutex> lock(mu_);
        areas_ = std::move(all);
        newest_ = newest;
        trusted_ = true;
      }
      // What admission changed while no one listened is forgotten too.
      if (on_admission_change_) on_admission_change_();
      while (!stop_) {
        conn.await_notification(0, 200'000);
        if (std::exchange(receiver.admission_changed, false) &&
            on_admission_change_) {
          on_admission_change_();
        }
        if (receiver.areas.empty()) continue;
        std::vector<int64_t> areas(receiver.areas.begin(),
                                   receiver.areas.end());
        receiver.areas.clear();
        Set(load(areas), receiver.newest);
      }
    } catch (const std::exception& e) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (trusted_) lost_at_ = std::chrono::steady_clock::now();
        trusted_ = false;
      }
      common::LogWarn("gallery listener: database unreachable, retrying");
      for (int i = 0; i < 10 && !stop_; ++i) {
        absl::SleepFor(absl::Milliseconds(100));
      }
    }
  }
}

}  // namespace kvo::gallery
