#include "ship/s3_response.h"

namespace logdaemon::ship {

namespace {

std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool decoded = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        decoded = true;
        break;
      }
    }
    if (!decoded) out += '&';
  }
  return out;
}

}  // namespace

std::optional<std::string> XmlTagText(std::string_view xml, std::string_view tag) {
  xml = xml.substr(0, kMaxAnswerBytes);
  std::string open = "<", close = "</";
  open.append(tag).append(">");
  close.append(tag).append(">");
  size_t begin = xml.find(open);
  if (begin == std::string_view::npos) return std::nullopt;
  begin += open.size();
  size_t end = xml.find(close, begin);
  if (end == std::string_view::npos) return std::nullopt;
  return DecodeEntities(xml.substr(begin, end - begin));
}

std::string Printable(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : (c == '\n' || c == '\r' || c == '\t') ? ' ' : '?';
  }
  if (text.size() > max) out += "…";
  return out;
}

std::string DescribeErrorAnswer(long http_status, std::string_view body) {
  std::string out = std::to_string(http_status);
  std::optional<std::string> code = XmlTagText(body, "Code");
  std::optional<std::string> message = XmlTagText(body, "Message");
  if (code) out.append(" ").append(Printable(*code, 64));
  if (message) out.append(code ? ": " : " ").append(Printable(*message, 240));
  if (!code && !message) {
    if (body.empty()) {
      out.append(" (no body)");
    } else {
      out.append(" ").append(Printable(body, 160));
    }
  }
  return out;
}

std::string UnquoteEtag(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '"')) value.remove_prefix(1);
  while (!value.empty() &&
         (value.back() == ' ' || value.back() == '"' || value.back() == '\r' || value.back() == '\n'))
    value.remove_suffix(1);
  return std::string(value);
}

}  // namespace logdaemon::ship
