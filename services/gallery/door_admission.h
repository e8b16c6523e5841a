#ifndef KVO_SERVICES_GALLERY_DOOR_ADMISSION_H_
#define KVO_SERVICES_GALLERY_DOOR_ADMISSION_H_

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/identity/access_control.h"

namespace kvo::gallery {

// Tells every kvod on the database, when `tx` commits, that what a
// DoorAdmission reads changed (a licence, a participant): each forgets
// what it kept (GalleryVersions hears it), so a change made through one
// replica reaches the doors of the others within a second, not a TTL.
void AnnounceAdmissionChange(pqxx::transaction_base& tx);

// "Licence first" (DESIGN.md): whether the door gallery may be shown to a
// caller at all. The gallery owns this interface; the KVO cycle module,
// which records licences and participants' declarations, implements it and
// kvod wires it.
class DoorAdmission {
 public:
  virtual ~DoorAdmission() = default;

  // OK when every area of `caller` has a licence in force on `now`'s day
  // and, for a shopkeeper, they belong to a participating shop and each of
  // their shops has signed the declaration to follow the model protocol.
  // Else FAILED_PRECONDITION with the reason in Dutch and in English
  // ("... / ..."); UNAVAILABLE when that cannot be known. Called before
  // every sync and photo view: answers from memory nearly always.
  // Thread-safe.
  virtual absl::Status Check(const identity::Caller& caller,
                             absl::Time now) = 0;
};

}  // namespace kvo::gallery

#endif  // KVO_SERVICES_GALLERY_DOOR_ADMISSION_H_
