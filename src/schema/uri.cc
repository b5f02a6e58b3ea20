#include "schema/uri.h"

namespace logdaemon::schema {

UriReference SplitUriReference(std::string_view text) {
  UriReference ref;
  size_t hash = text.find('#');
  if (hash != std::string_view::npos) {
    ref.has_fragment = true;
    ref.fragment = text.substr(hash + 1);
    text = text.substr(0, hash);
  }
  size_t question = text.find('?');
  if (question != std::string_view::npos) {
    ref.has_query = true;
    ref.query = text.substr(question + 1);
    text = text.substr(0, question);
  }
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), followed by ':' before any '/'.
  size_t colon = text.find(':');
  size_t slash = text.find('/');
  if (colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash)) {
    bool valid = true;
    for (size_t i = 0; i < colon; ++i) {
      char c = text[i];
      bool alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
      if (!(alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) {
        valid = false;
        break;
      }
    }
    if (valid) {
      ref.has_scheme = true;
      ref.scheme = text.substr(0, colon);
      text = text.substr(colon + 1);
    }
  }
  if (text.substr(0, 2) == "//") {
    text = text.substr(2);
    size_t end = text.find('/');
    ref.has_authority = true;
    ref.authority = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end);
  }
  ref.path = text;
  return ref;
}

namespace {

// RFC 3986 §5.2.4.
std::string RemoveDotSegments(std::string_view input) {
  std::string output;
  while (!input.empty()) {
    if (input.substr(0, 3) == "../") {
      input.remove_prefix(3);
    } else if (input.substr(0, 2) == "./") {
      input.remove_prefix(2);
    } else if (input.substr(0, 3) == "/./") {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.substr(0, 4) == "/../" || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      size_t last = output.rfind('/');
      output.resize(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      size_t next = input.find('/', input[0] == '/' ? 1 : 0);
      std::string_view segment = input.substr(0, next);
      output.append(segment);
      input.remove_prefix(segment.size());
    }
  }
  return output;
}

// RFC 3986 §5.2.3.
std::string MergePaths(const UriReference& base, std::string_view reference_path) {
  std::string merged;
  if (base.has_authority && base.path.empty()) {
    merged.push_back('/');
  } else if (size_t last = base.path.rfind('/'); last != std::string_view::npos) {
    merged.append(base.path.substr(0, last + 1));
  }
  merged.append(reference_path);
  return merged;
}

std::string Recompose(std::string_view scheme, bool has_scheme, std::string_view authority,
                      bool has_authority, std::string_view path, std::string_view query, bool has_query,
                      std::string_view fragment, bool has_fragment) {
  std::string out;
  if (has_scheme) {
    out.append(scheme);
    out.push_back(':');
  }
  if (has_authority) {
    out.append("//");
    out.append(authority);
  }
  out.append(path);
  if (has_query) {
    out.push_back('?');
    out.append(query);
  }
  if (has_fragment) {
    out.push_back('#');
    out.append(fragment);
  }
  return out;
}

}  // namespace

std::string ResolveUriReference(std::string_view base_text, std::string_view reference_text) {
  UriReference r = SplitUriReference(reference_text);
  UriReference b = SplitUriReference(base_text);
  if (r.has_scheme) {
    return Recompose(r.scheme, true, r.authority, r.has_authority, RemoveDotSegments(r.path), r.query,
                     r.has_query, r.fragment, r.has_fragment);
  }
  if (r.has_authority) {
    return Recompose(b.scheme, b.has_scheme, r.authority, true, RemoveDotSegments(r.path), r.query,
                     r.has_query, r.fragment, r.has_fragment);
  }
  if (r.path.empty()) {
    bool has_query = r.has_query || b.has_query;
    return Recompose(b.scheme, b.has_scheme, b.authority, b.has_authority, b.path,
                     r.has_query ? r.query : b.query, has_query, r.fragment, r.has_fragment);
  }
  std::string path = r.path[0] == '/' ? RemoveDotSegments(r.path) : RemoveDotSegments(MergePaths(b, r.path));
  // A base without a scheme or authority (a bare relative base): keep the reference relative.
  return Recompose(b.scheme, b.has_scheme, b.authority, b.has_authority, path, r.query, r.has_query,
                   r.fragment, r.has_fragment);
}

std::string_view WithoutFragment(std::string_view uri) {
  return uri.substr(0, uri.find('#'));
}

std::string_view FragmentOf(std::string_view uri) {
  size_t hash = uri.find('#');
  return hash == std::string_view::npos ? std::string_view() : uri.substr(hash + 1);
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = hex(text[i + 1]);
      int low = hex(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace logdaemon::schema
