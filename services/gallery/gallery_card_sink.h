#ifndef KVO_SERVICES_GALLERY_GALLERY_CARD_SINK_H_
#define KVO_SERVICES_GALLERY_GALLERY_CARD_SINK_H_

#include <cstdint>
#include <vector>

#include "services/gallery/gallery_versions.h"
#include "services/registry/card_changes.h"

namespace kvo::gallery {

// How the door gallery hears of the registry's card changes (kvod wires it
// into the registry). In the change's transaction it logs the changed
// cards (collective cards and shops' individual bans)
// (PgGalleryStore::RecordChanges) and, on an erasure, deletes the person's
// photo; after the commit it asks for the changes to be sequenced and advances
// this process's versions, so a sync through this replica sees the change at
// once (others hear by NOTIFY). Thread-safe.
class GalleryCardSink final : public registry::CardChangeSink {
 public:
  explicit GalleryCardSink(GalleryVersions& versions) : versions_(versions) {}

  void CardsChanged(pqxx::transaction_base& tx,
                    const std::vector<registry::ChangedCard>& cards) override;
  void PersonErased(pqxx::transaction_base& tx, int64_t person_id) override;
  void CardsCommitted(const std::vector<registry::ChangedCard>& cards) override;
  void ShopMembersChanged(pqxx::transaction_base& tx) override;
  void ShopMembersCommitted() override;

 private:
  GalleryVersions& versions_;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_CARD_SINK_H_
