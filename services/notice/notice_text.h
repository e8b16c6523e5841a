#ifndef KVO_SERVICES_NOTICE_NOTICE_TEXT_H_
#define KVO_SERVICES_NOTICE_NOTICE_TEXT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/notice/notice_pdf.h"

namespace kvo::notice {

// The notice's wording, apart from its layout.
struct Paragraph {
  enum class Style { kTitle, kHeading, kBody, kSmall, kPhoto };
  Style style;
  std::string text;
  // kPhoto: a JPEG and its size in pixels (text is unused).
  std::string jpeg = {};
  int width = 0;
  int height = 0;
};

// The paragraphs of the notice in its language, or INVALID_ARGUMENT naming
// the field that cannot be rendered.
absl::StatusOr<std::vector<Paragraph>> NoticeParagraphs(const NoticeData& d);

}  // namespace kvo::notice

#endif  // KVO_SERVICES_NOTICE_NOTICE_TEXT_H_
