#include "services/common/source_dir.h"

namespace kvo::common {
const char* SourceDir() { return KVO_SOURCE_DIR_VALUE; }
}  // namespace kvo::common
