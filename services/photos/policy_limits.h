#ifndef KVO_SERVICES_PHOTOS_POLICY_LIMITS_H_
#define KVO_SERVICES_PHOTOS_POLICY_LIMITS_H_

#include "kvo/v1/policy.pb.h"
#include "services/photos/photo_intake.h"

namespace kvo::photos {

// The intake limits of policy photos {} (the policy loader checks them),
// for every module that takes photos in: the gallery, the schouw.
inline IntakeLimits LimitsOf(const kvo::v1::PhotoPolicy& p) {
  IntakeLimits out;
  out.max_bytes = p.max_upload_bytes();
  out.max_pixels = p.max_pixels();
  out.max_side = p.max_side_px();
  out.thumbnail_side = p.thumbnail_side_px();
  return out;
}

}  // namespace kvo::photos

#endif  // KVO_SERVICES_PHOTOS_POLICY_LIMITS_H_
