#ifndef KVO_CLIENTS_CLI_DEMO_PHOTO_H_
#define KVO_CLIENTS_CLI_DEMO_PHOTO_H_

#include <string>

namespace kvo::cli {

// A placeholder "photo" for a demo person, as PNG bytes: a plain
// background in one of a few colours (by `index`), a grey head-and-
// shoulders outline without any face, and the words "DEMO" and "geen echte
// persoon". Drawn with cairo, 480 x 600 pixels, so it passes kvod's photo
// intake like a real upload. Empty when cairo fails. Thread-safe.
std::string DemoPhotoPng(int index);

}  // namespace kvo::cli

#endif  // KVO_CLIENTS_CLI_DEMO_PHOTO_H_
