#include "clients/cli/demo_photo.h"

#include <cairo.h>

#include <cmath>
#include <memory>

namespace kvo::cli {
namespace {

cairo_status_t Append(void* closure, const unsigned char* data,
                      unsigned int length) {
  static_cast<std::string*>(closure)->append(
      reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct Rgb {
  double r, g, b;
};
constexpr Rgb kBackgrounds[] = {{0.80, 0.86, 0.92},
                                {0.88, 0.90, 0.82},
                                {0.92, 0.86, 0.80},
                                {0.86, 0.82, 0.90}};

}  // namespace

std::string DemoPhotoPng(int index) {
  constexpr int kW = 480, kH = 600;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, kW, kH),
      cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(
      cairo_create(surface.get()), cairo_destroy);
  const Rgb bg = kBackgrounds[index % 4];
  cairo_set_source_rgb(cr.get(), bg.r, bg.g, bg.b);
  cairo_paint(cr.get());
  // A silhouette: a plain oval head and rounded shoulders, no features.
  cairo_set_source_rgb(cr.get(), 0.45, 0.47, 0.50);
  cairo_save(cr.get());
  cairo_translate(cr.get(), kW / 2.0, 230);
  cairo_scale(cr.get(), 1.0, 1.25);
  cairo_arc(cr.get(), 0, 0, 85, 0, 2 * M_PI);
  cairo_restore(cr.get());
  cairo_fill(cr.get());
  cairo_move_to(cr.get(), 60, kH);
  cairo_curve_to(cr.get(), 60, 400, 420, 400, 420, kH);
  cairo_close_path(cr.get());
  cairo_fill(cr.get());
  cairo_select_font_face(cr.get(), "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_set_font_size(cr.get(), 64);
  cairo_text_extents_t e;
  cairo_text_extents(cr.get(), "DEMO", &e);
  cairo_move_to(cr.get(), (kW - e.x_advance) / 2, 560);
  cairo_show_text(cr.get(), "DEMO");
  cairo_set_source_rgb(cr.get(), 0.2, 0.2, 0.2);
  cairo_set_font_size(cr.get(), 26);
  cairo_text_extents(cr.get(), "geen echte persoon", &e);
  cairo_move_to(cr.get(), (kW - e.x_advance) / 2, 60);
  cairo_show_text(cr.get(), "geen echte persoon");
  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), Append, &png) !=
      CAIRO_STATUS_SUCCESS) {
    return "";
  }
  return png;
}

}  // namespace kvo::cli
