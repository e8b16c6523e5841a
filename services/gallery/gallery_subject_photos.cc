#include "services/gallery/gallery_subject_photos.h"

#include "services/gallery/pg_gallery_store.h"
#include "services/registry/vault.h"

namespace kvo::gallery {

absl::StatusOr<std::optional<privacy::SubjectPhoto>>
GallerySubjectPhotos::PhotoOf(pqxx::transaction_base& tx,
                              const privacy::SubjectRef& ref) const {
  if (ref.erased) return std::nullopt;
  auto stored = PgGalleryStore::PhotoOf(tx, ref.person_id);
  if (!stored) return std::nullopt;
  registry::Vault vault(keys_);
  auto person = vault.OpenSealed(
      {ref.person_id, ref.pseudonym, ref.erased, ref.registered_area_id}, {});
  if (!person.ok()) return person.status();
  auto jpeg = vault.OpenValue(*person, kPhotoField, stored->sealed_jpeg);
  if (!jpeg.ok()) return jpeg.status();
  return privacy::SubjectPhoto{std::move(*jpeg), stored->width, stored->height};
}

}  // namespace kvo::gallery
