#include "services/gallery/gallery_card_sink.h"

#include <pqxx/pqxx>

#include "services/gallery/door_admission.h"
#include "services/gallery/pg_gallery_store.h"

namespace kvo::gallery {

void GalleryCardSink::CardsChanged(
    pqxx::transaction_base& tx,
    const std::vector<registry::ChangedCard>& cards) {
  // Every kind: a collective card concerns every door of its area, an
  // individual ban its own shop's door (the sync decides who sees it).
  std::vector<GalleryChange> changes;
  for (const auto& c : cards) {
    changes.push_back({c.area_id, c.card_id});
  }
  PgGalleryStore::RecordChanges(tx, changes);
}

void GalleryCardSink::PersonErased(pqxx::transaction_base& tx,
                                   int64_t person_id) {
  PgGalleryStore::DeletePhoto(tx, person_id);
}

void GalleryCardSink::CardsCommitted(
    const std::vector<registry::ChangedCard>& cards) {
  if (cards.empty()) return;
  std::vector<int64_t> areas;
  for (const auto& c : cards) areas.push_back(c.area_id);
  versions_.RequestSequencing(areas);
  for (const auto& c : cards) {
    if (!c.revoked) versions_.Advance(c.area_id, 0, c.valid_until);
  }
}

void GalleryCardSink::ShopMembersChanged(pqxx::transaction_base& tx) {
  PgGalleryStore::AnnounceAdmissionChange(tx);
}

void GalleryCardSink::ShopMembersCommitted() {
  versions_.AdmissionChangedHere();
}

void AnnounceAdmissionChange(pqxx::transaction_base& tx) {
  PgGalleryStore::AnnounceAdmissionChange(tx);
}

}  // namespace kvo::gallery
