#pragma once

// Where the source tree this binary was built from lives (migrations/,
// policy/, data/). Kept in one translation unit, so that a checkout at another
// path rebuilds one file instead of every file that includes a common header.
namespace kvo::common {
const char* SourceDir();
}  // namespace kvo::common

#define KVO_SOURCE_DIR ::kvo::common::SourceDir()
