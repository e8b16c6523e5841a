#ifndef KVO_SERVICES_GALLERY_GALLERY_SUBJECT_PHOTOS_H_
#define KVO_SERVICES_GALLERY_GALLERY_SUBJECT_PHOTOS_H_

#include "services/privacy/subject_records.h"
#include "services/registry/key_ring.h"

namespace kvo::gallery {

// A person's photo for the privacy module's access export
// (privacy::SubjectPhotos, wired by kvod): read from the gallery's store
// and opened with the person's data key. Thread-safe.
class GallerySubjectPhotos final : public privacy::SubjectPhotos {
 public:
  explicit GallerySubjectPhotos(const registry::KeyRing& keys) : keys_(keys) {}

  absl::StatusOr<std::optional<privacy::SubjectPhoto>> PhotoOf(
      pqxx::transaction_base& tx,
      const privacy::SubjectRef& ref) const override;

 private:
  const registry::KeyRing& keys_;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_GALLERY_SUBJECT_PHOTOS_H_
