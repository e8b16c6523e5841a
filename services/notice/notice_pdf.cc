#include "services/notice/notice_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/notice/notice_text.h"

namespace kvo::notice {
namespace {

using Style = Paragraph::Style;

// A4 in PostScript points, with 2 cm margins.
constexpr double kPageWidth = 595.0;
constexpr double kPageHeight = 842.0;
constexpr double kMargin = 57.0;
constexpr char kFont[] = "DejaVu Sans";
// 6 x 8 cm.
constexpr double kPhotoMaxWidth = 170.0;
constexpr double kPhotoMaxHeight = 227.0;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

cairo_status_t AppendToString(void* closure, const unsigned char* data,
                              unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

double FontSize(Style style) {
  switch (style) {
    case Style::kTitle:
      return 18;
    case Style::kHeading:
      return 12.5;
    case Style::kSmall:
      return 8.5;
    case Style::kBody:
    case Style::kPhoto:
      break;
  }
  return 10.5;
}

// Lays paragraphs out top to bottom, wrapping words to the text width and
// starting a new page when one is full.
class Layout {
 public:
  explicit Layout(cairo_t* cr) : cr_(cr), y_(kMargin) {}

  void Add(const Paragraph& p) {
    if (p.style == Style::kPhoto) {
      AddPhoto(p);
      return;
    }
    const double size = FontSize(p.style);
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL,
                           p.style == Style::kBody || p.style == Style::kSmall
                               ? CAIRO_FONT_WEIGHT_NORMAL
                               : CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr_, size);
    const double line_height = size * 1.4;
    if (p.style == Style::kHeading) y_ += size * 0.6;
    for (absl::string_view raw : absl::StrSplit(p.text, '\n')) {
      std::string line;
      for (absl::string_view word :
           absl::StrSplit(raw, ' ', absl::SkipEmpty())) {
        std::string candidate =
            line.empty() ? std::string(word) : absl::StrCat(line, " ", word);
        if (!line.empty() && Width(candidate) > kPageWidth - 2 * kMargin) {
          Emit(line, line_height);
          candidate = std::string(word);
        }
        // A single word wider than the page is cut, never left hanging out.
        while (Width(candidate) > kPageWidth - 2 * kMargin &&
               candidate.size() > 1) {
          size_t cut = candidate.size() / 2;
          while (cut > 1 && (candidate[cut] & 0xC0) == 0x80) --cut;
          Emit(candidate.substr(0, cut), line_height);
          candidate.erase(0, cut);
        }
        line = std::move(candidate);
      }
      Emit(line, line_height);
    }
    y_ += size * 0.5;
  }

 private:
  // The JPEG goes into the PDF as it is (cairo embeds the mime data of the
  // source surface); the blank pixel surface only gives it its size.
  void AddPhoto(const Paragraph& p) {
    if (p.jpeg.empty() || p.width <= 0 || p.height <= 0) return;
    const double scale =
        std::min(kPhotoMaxWidth / p.width, kPhotoMaxHeight / p.height);
    const double h = p.height * scale;
    if (y_ + h > kPageHeight - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
    cairo_surface_t* image =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, p.width, p.height);
    auto* copy = static_cast<unsigned char*>(malloc(p.jpeg.size()));
    memcpy(copy, p.jpeg.data(), p.jpeg.size());
    cairo_surface_set_mime_data(image, CAIRO_MIME_TYPE_JPEG, copy,
                                p.jpeg.size(), free, copy);
    cairo_save(cr_);
    cairo_translate(cr_, kMargin, y_ + 4);
    cairo_scale(cr_, scale, scale);
    cairo_set_source_surface(cr_, image, 0, 0);
    cairo_paint(cr_);
    cairo_restore(cr_);
    cairo_surface_destroy(image);
    y_ += h + 12;
  }

  double Width(const std::string& text) {
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, text.c_str(), &extents);
    return extents.x_advance;
  }

  void Emit(const std::string& line, double line_height) {
    if (y_ + line_height > kPageHeight - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
    y_ += line_height;
    cairo_move_to(cr_, kMargin, y_);
    cairo_show_text(cr_, line.c_str());
  }

  cairo_t* cr_;
  double y_;
};

}  // namespace

absl::StatusOr<std::string> RenderNoticePdf(const NoticeData& data) {
  auto paragraphs = NoticeParagraphs(data);
  if (!paragraphs.ok()) return paragraphs.status();
  return RenderParagraphsPdf(*paragraphs);
}

absl::StatusOr<std::string> RenderParagraphsPdf(
    const std::vector<Paragraph>& paragraphs) {
  return DrawA4Pdf([&](cairo_t* cr) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    Layout layout(cr);
    for (const Paragraph& p : paragraphs) layout.Add(p);
  });
}

absl::StatusOr<std::string> DrawA4Pdf(
    const std::function<void(cairo_t*)>& draw) {
  std::string pdf;
  {
    std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
        cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth,
                                            kPageHeight));
    std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    draw(cr.get());
    cairo_show_page(cr.get());
    const cairo_status_t status = cairo_status(cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    if (status != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(absl::StrCat(
          "the document could not be rendered: ",
          cairo_status_to_string(status != CAIRO_STATUS_SUCCESS
                                     ? status
                                     : cairo_surface_status(surface.get()))));
    }
  }
  return pdf;
}

}  // namespace kvo::notice
