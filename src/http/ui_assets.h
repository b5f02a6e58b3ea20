// The web UI's files (ui/, and uPlot from ui/node_modules), embedded in the binary at build time by
// src/http/embed_ui.cmake: the daemon serves them from memory, with no file to install and no request
// to anywhere else. docs/ui.md.
//
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <string_view>

namespace logdaemon::http {

struct UiAsset {
  const char* content_type;
  const char* data;
  size_t size;
};

// The file served at /ui/<name> ("index.html", "app.js", …); null when there is none.
const UiAsset* FindUiAsset(std::string_view name);

}  // namespace logdaemon::http
