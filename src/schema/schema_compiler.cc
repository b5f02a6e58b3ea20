#include "schema/schema_compiler.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "schema/json_syntax_error.h"
#include "schema/json_value.h"
#include "schema/metaschema.h"
#include "schema/uri.h"

namespace logdaemon::schema {

Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int error = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return Status::IOError(path + ": " + std::strerror(error));
  }
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return Status::IOError(path + ": " + std::strerror(error));
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return Status::InvalidArgument(path + ": larger than the limit of " + std::to_string(max_bytes) +
                                     " bytes");
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

Status AddSchemaPath(std::string_view argument, CompileOptions* options) {
  if (argument.empty()) return Status::InvalidArgument("--schema-path: empty");
  size_t equals = argument.find('=');
  // "URI=DIR": a URI has a scheme, so '=' after "xyz:" marks the mapping form.
  if (equals != std::string_view::npos && argument.substr(0, equals).find(':') != std::string_view::npos) {
    std::string prefix(argument.substr(0, equals));
    std::string dir(argument.substr(equals + 1));
    if (dir.empty())
      return Status::InvalidArgument("--schema-path " + std::string(argument) + ": no directory");
    std::error_code ec;  // the non-throwing forms: a bad path is an error message, not an exception
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status::InvalidArgument("--schema-path " + std::string(argument) + ": " + dir +
                                     " is not a directory");
    }
    if (dir.back() != '/') dir.push_back('/');
    options->uri_prefixes.emplace_back(std::move(prefix), std::move(dir));
    return Status::OK();
  }
  std::string dir(argument);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::InvalidArgument("--schema-path " + dir + ": not a directory");
  }
  options->schema_dirs.push_back(std::move(dir));
  return Status::OK();
}

namespace {

// JSON pointer token escaping (RFC 6901 §3): '~' → "~0", '/' → "~1". The pointers only appear in
// messages, which stay on one line: control characters are shown escaped as in JSON.
std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return ShortText(out, out.size());
}

bool IsSupportedDraft(std::string_view uri) {
  std::string_view id = WithoutFragment(uri);
  if (id.substr(0, 5) == "https")
    id.remove_prefix(5);
  else if (id.substr(0, 4) == "http")
    id.remove_prefix(4);
  else
    return false;
  // draft-06 is a subset of draft-07 as far as validation goes.
  return id == "://json-schema.org/draft-07/schema" || id == "://json-schema.org/draft-06/schema";
}

// The keywords whose values are schemas (or arrays / maps of schemas), where `$id`s count (draft-07
// §8.2: a `$id` inside `enum`, `const` or an unknown keyword is data, not an identifier).
enum class Holds { kSchema, kSchemaArray, kSchemaOrArray, kSchemaMap, kSchemaMapOrArrays };
struct SchemaKeyword {
  std::string_view name;
  Holds holds;
};
constexpr SchemaKeyword kSchemaKeywords[] = {
    {"definitions", Holds::kSchemaMap},
    {"properties", Holds::kSchemaMap},
    {"patternProperties", Holds::kSchemaMap},
    {"dependencies", Holds::kSchemaMapOrArrays},
    {"items", Holds::kSchemaOrArray},
    {"additionalItems", Holds::kSchema},
    {"additionalProperties", Holds::kSchema},
    {"contains", Holds::kSchema},
    {"propertyNames", Holds::kSchema},
    {"if", Holds::kSchema},
    {"then", Holds::kSchema},
    {"else", Holds::kSchema},
    {"not", Holds::kSchema},
    {"allOf", Holds::kSchemaArray},
    {"anyOf", Holds::kSchemaArray},
    {"oneOf", Holds::kSchemaArray},
};

}  // namespace

class SchemaCompilerImpl {
 public:
  SchemaCompilerImpl(const CompileOptions& options, CompiledSchema* out) : options_(options), out_(out) {}

  Status Run(std::string_view text, const std::string& label) {
    auto document = Parse(text, label);
    if (!document.ok()) return document.status();
    const JsonValue* root = document->get();
    out_->documents_.push_back(std::move(*document));
    if (const JsonValue* declared = root->is_object() ? root->Find("$schema") : nullptr) {
      if (!declared->is_string()) return Error("#/$schema", "must be a string, got " + Show(*declared));
      if (!IsSupportedDraft(declared->string)) {
        return Error("#/$schema", "\"" + declared->string +
                                      "\" is not supported: logdaemon implements JSON Schema draft-07");
      }
    }
    resources_[std::string(WithoutFragment(options_.base_uri))] = root;
    if (Status st = Walk(*root, std::string(WithoutFragment(options_.base_uri)), "#"); !st.ok()) return st;
    for (const std::string& dir : options_.schema_dirs) {
      if (Status st = RegisterDirectory(dir); !st.ok()) return st;
    }
    auto index = CompileSchema(*root);
    if (!index.ok()) return index.status();
    if (Status st = CompilePending(); !st.ok()) return st;
    out_->root_ = *index;
    return CheckNoLoopWithoutProgress();
  }

 private:
  Result<std::unique_ptr<JsonValue>> Parse(std::string_view text, const std::string& label) {
    if (text.size() > options_.max_document_bytes) {
      return Status::InvalidArgument((label.empty() ? "" : label + ": ") + "the schema is larger than " +
                                     std::to_string(options_.max_document_bytes) + " bytes");
    }
    simdjson::dom::parser parser;
    if (parser.allocate(std::max<size_t>(text.size(), 64), options_.max_depth) != simdjson::SUCCESS) {
      return Status::InvalidArgument(label + ": out of memory parsing the schema");
    }
    simdjson::padded_string padded(text);
    simdjson::dom::element element;
    if (auto error = parser.parse(padded).get(element); error != simdjson::SUCCESS) {
      JsonSyntaxError syntax = FindJsonSyntaxError(text, options_.max_depth);
      std::string what = syntax.found ? syntax.what + " at byte " + std::to_string(syntax.offset) + " (" +
                                            LineAndColumn(text, syntax.offset) + ")"
                                      : std::string(simdjson::error_message(error));
      return Status::InvalidArgument((label.empty() ? "" : label + ": ") + "not valid JSON: " + what);
    }
    return std::make_unique<JsonValue>(JsonValue::FromElement(element));
  }

  static std::string Show(const JsonValue& v) { return v.ToJson(60); }

  Status Error(const std::string& location, const std::string& what) const {
    return Status::InvalidArgument(location + ": " + what);
  }

  // Records base URIs, `$id` resources and "#name" identifiers of `v` and the schemas inside it.
  Status Walk(const JsonValue& v, std::string base, const std::string& location) {
    if (base_of_.count(&v)) return Status::OK();
    base_of_[&v] = base;
    location_of_[&v] = location;
    if (!v.is_object()) return Status::OK();
    // draft-07 §8.3: every other keyword beside `$ref`, `$id` included, is ignored.
    if (v.Find("$ref") != nullptr) return Status::OK();
    if (const JsonValue* id = v.Find("$id")) {
      if (!id->is_string()) return Error(location + "/$id", "must be a string, got " + Show(*id));
      std::string resolved = ResolveUriReference(base, id->string);
      std::string_view fragment = FragmentOf(resolved);
      if (id->string.empty() || id->string[0] != '#') {
        base = std::string(WithoutFragment(resolved));
        base_of_[&v] = base;
        resources_.emplace(base, &v);
      }
      if (!fragment.empty() && fragment[0] != '/') anchors_.emplace(resolved, &v);
    }
    for (const SchemaKeyword& keyword : kSchemaKeywords) {
      const JsonValue* child = v.Find(keyword.name);
      if (child == nullptr) continue;
      std::string at = location + "/" + std::string(keyword.name);
      Status st;
      switch (keyword.holds) {
        case Holds::kSchema:
          st = Walk(*child, base, at);
          break;
        case Holds::kSchemaArray:
        case Holds::kSchemaOrArray:
          if (child->is_array()) {
            for (size_t i = 0; i < child->array.size() && st.ok(); ++i) {
              st = Walk(child->array[i], base, at + "/" + std::to_string(i));
            }
          } else if (keyword.holds == Holds::kSchemaOrArray) {
            st = Walk(*child, base, at);
          }
          break;
        case Holds::kSchemaMap:
        case Holds::kSchemaMapOrArrays:
          for (const auto& [name, value] : child->object) {
            if (keyword.holds == Holds::kSchemaMapOrArrays && value.is_array()) continue;
            st = Walk(value, base, at + "/" + EscapePointerToken(name));
            if (!st.ok()) break;
          }
          break;
      }
      if (!st.ok()) return st;
    }
    return Status::OK();
  }

  Status RegisterDirectory(const std::string& dir) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code file_ec;
      if (!it->is_regular_file(file_ec) || it->path().extension() != ".json") continue;
      std::string path = it->path().string();
      std::filesystem::path absolute = std::filesystem::absolute(path, file_ec);
      if (file_ec) return Status::IOError("--schema-path " + path + ": " + file_ec.message());
      auto loaded = LoadFile(path, "file://" + absolute.string());
      if (!loaded.ok()) return loaded.status();
    }
    if (ec) return Status::IOError("--schema-path " + dir + ": " + ec.message());
    return Status::OK();
  }

  // Parses the file at `path` as the document retrieved from `uri` and registers it.
  Result<const JsonValue*> LoadFile(const std::string& path, const std::string& uri) {
    if (out_->documents_.size() >= options_.max_documents) {
      return Status::InvalidArgument("more than " + std::to_string(options_.max_documents) +
                                     " referenced schema documents");
    }
    auto text = ReadFileToString(path, options_.max_document_bytes);
    if (!text.ok()) return text.status();
    return AddDocument(*text, uri, path);
  }

  Result<const JsonValue*> AddDocument(std::string_view text, const std::string& uri,
                                       const std::string& label) {
    auto document = Parse(text, label);
    if (!document.ok()) return document.status();
    const JsonValue* root = document->get();
    out_->documents_.push_back(std::move(*document));
    resources_.emplace(uri, root);
    if (Status st = Walk(*root, uri, uri + "#"); !st.ok()) return st;
    return root;
  }

  // The resource (a document, or a schema with its own `$id`) at `uri` (no fragment): registered
  // already, the embedded draft-07 meta-schema, or a file under a mapped prefix. nullptr: unknown.
  Result<const JsonValue*> FindResource(const std::string& uri) {
    if (auto it = resources_.find(uri); it != resources_.end()) return it->second;
    if (IsSupportedDraft(uri)) {
      auto loaded = AddDocument(Draft07MetaSchema(), uri, "the draft-07 meta-schema");
      if (!loaded.ok()) return loaded.status();
      resources_[uri] = *loaded;
      return *loaded;
    }
    for (const auto& [prefix, dir] : options_.uri_prefixes) {
      if (uri.compare(0, prefix.size(), prefix) != 0) continue;
      std::string rest = uri.substr(prefix.size());
      // Stay inside the mapped directory.
      if (rest.find("..") != std::string::npos) continue;
      std::string path = dir + rest;
      // A $ref is untrusted text: a name too long for the file system (ENAMETOOLONG) or any other
      // error simply means there is no such local schema — the non-throwing form never throws.
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec)) continue;
      return LoadFile(path, uri);
    }
    return static_cast<const JsonValue*>(nullptr);
  }

  // Follows the JSON pointer `pointer` (already percent-decoded) from `from`.
  static const JsonValue* FollowPointer(const JsonValue* from, std::string_view pointer) {
    while (from != nullptr && !pointer.empty()) {
      if (pointer[0] != '/') return nullptr;
      pointer.remove_prefix(1);
      size_t end = pointer.find('/');
      std::string token;
      for (size_t i = 0; i < std::min(end, pointer.size()); ++i) {
        if (pointer[i] == '~' && i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
          token += pointer[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          token += pointer[i];
        }
      }
      pointer.remove_prefix(std::min(end, pointer.size()));
      if (from->is_object()) {
        from = from->Find(token);
      } else if (from->is_array()) {
        if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0') ||
            token.find_first_not_of("0123456789") != std::string::npos) {
          return nullptr;
        }
        size_t index = std::stoul(token);
        from = index < from->array.size() ? &from->array[index] : nullptr;
      } else {
        return nullptr;
      }
    }
    return from;
  }

  Result<const JsonValue*> ResolveRef(const JsonValue& holder, const std::string& location) {
    const JsonValue* ref = holder.Find("$ref");
    if (!ref->is_string()) return Error(location + "/$ref", "must be a string, got " + Show(*ref));
    std::string target_uri = ResolveUriReference(base_of_[&holder], ref->string);
    auto unresolvable = [&](const std::string& why) {
      std::string message = "cannot resolve \"" + ref->string + "\"";
      if (target_uri != ref->string) message += " (\"" + target_uri + "\")";
      return Error(location + "/$ref", message + ": " + why);
    };
    if (auto it = anchors_.find(target_uri); it != anchors_.end()) return it->second;
    std::string uri(WithoutFragment(target_uri));
    std::string fragment = PercentDecode(FragmentOf(target_uri));
    auto resource = FindResource(uri);
    if (!resource.ok()) return resource.status().WithContext(location + "/$ref");
    if (*resource == nullptr) {
      return unresolvable(uri.empty() || uri.find(':') == std::string::npos
                              ? "no schema has this identifier"
                              : "no schema has this identifier and remote schemas are never fetched; "
                                "map it to a local directory with --schema-path URI=DIR");
    }
    const JsonValue* target = *resource;
    if (!fragment.empty()) {
      if (fragment[0] == '/') {
        target = FollowPointer(target, fragment);
        if (target == nullptr) return unresolvable("the JSON pointer leads nowhere");
      } else if (auto it = anchors_.find(uri + "#" + fragment); it != anchors_.end()) {
        target = it->second;
      } else {
        return unresolvable("no schema has the identifier #" + fragment);
      }
    }
    // A target outside the walked keywords (a pointer into an unknown keyword) gets its resource's base.
    if (!base_of_.count(target)) {
      if (Status st = Walk(*target, base_of_[*resource], target_uri); !st.ok()) return st;
    }
    return target;
  }

  NodeIndex NewNode(const std::string& location) {
    out_->nodes_.emplace_back();
    out_->locations_.push_back(location);
    return static_cast<NodeIndex>(out_->nodes_.size() - 1);
  }

  Result<NodeIndex> CompileSchema(const JsonValue& v) {
    if (auto it = memo_.find(&v); it != memo_.end()) return it->second;
    const std::string location = location_of_.count(&v) ? location_of_[&v] : "#";
    if (v.is_bool()) {
      NodeIndex index = NewNode(location);
      if (!v.boolean) out_->nodes_[index].checks = kCheckFalse;
      memo_[&v] = index;
      return index;
    }
    if (!v.is_object()) {
      return Error(location, "a schema must be an object or a boolean, got " + Show(v));
    }
    if (v.Find("$ref") != nullptr) {
      // A schema that is only a reference gets no node of its own: it is its target's node. Follow a
      // chain of references iteratively to the first schema that is not one; coming back to a reference
      // of the same chain means it never validates anything.
      std::vector<const JsonValue*> chain;
      std::unordered_set<const JsonValue*> seen;
      const JsonValue* target = &v;
      while (target->is_object() && target->Find("$ref") != nullptr && !memo_.count(target)) {
        const std::string& here = location_of_.count(target) ? location_of_[target] : location;
        if (!seen.insert(target).second) {
          return Error(here + "/$ref", "the reference leads back to itself without validating anything");
        }
        chain.push_back(target);
        auto next = ResolveRef(*target, here);
        if (!next.ok()) return next.status();
        target = *next;
      }
      auto index = CompileSchema(*target);
      if (!index.ok()) return index.status();
      for (const JsonValue* holder : chain) memo_[holder] = *index;
      return index;
    }
    // Nesting through references is not bounded by the document's depth, so nothing here recurses
    // into subschemas: a new node's keywords are compiled later, by CompilePending.
    NodeIndex index = NewNode(location);
    memo_[&v] = index;
    pending_.emplace_back(&v, index);
    return index;
  }

  // Compiles the keywords of every node CompileSchema created, and of the nodes they create in turn.
  Status CompilePending() {
    for (size_t i = 0; i < pending_.size(); ++i) {
      auto [schema, index] = pending_[i];
      const std::string location = out_->locations_[index];  // a copy: locations_ grows meanwhile
      Node node;
      if (Status st = CompileKeywords(*schema, location, &node); !st.ok()) return st;
      out_->nodes_[index] = std::move(node);
    }
    return Status::OK();
  }

  Result<NodeIndex> CompileChild(const JsonValue& parent, std::string_view keyword,
                                 const std::string& location) {
    const JsonValue* child = parent.Find(keyword);
    if (!location_of_.count(child)) location_of_[child] = location + "/" + std::string(keyword);
    return CompileSchema(*child);
  }

  Status CompileSchemaArray(const JsonValue& parent, std::string_view keyword, const std::string& location,
                            bool non_empty, std::vector<NodeIndex>* out) {
    const JsonValue& value = *parent.Find(keyword);
    std::string at = location + "/" + std::string(keyword);
    if (!value.is_array() || (non_empty && value.array.empty())) {
      return Error(at, std::string(non_empty ? "must be a non-empty array of schemas"
                                             : "must be an array of schemas") +
                           ", got " + Show(value));
    }
    for (const JsonValue& item : value.array) {
      auto index = CompileSchema(item);
      if (!index.ok()) return index.status();
      out->push_back(*index);
    }
    return Status::OK();
  }

  static bool NonNegativeInteger(const JsonValue* v, uint64_t* out) {
    if (v == nullptr || !v->is_number() || !v->is_integral() || v->number < 0) return false;
    *out = v->kind == JsonValue::Kind::kUint64  ? v->uint64
           : v->kind == JsonValue::Kind::kInt64 ? static_cast<uint64_t>(v->int64)
           : v->number >= 1.8e19                ? UINT64_MAX
                                                : static_cast<uint64_t>(v->number);
    return true;
  }

  Status NonNegativeIntegerKeyword(const JsonValue& v, std::string_view keyword, const std::string& location,
                                   uint64_t* out, bool* present = nullptr) {
    const JsonValue* value = v.Find(keyword);
    if (value == nullptr) return Status::OK();
    if (!NonNegativeInteger(value, out)) {
      return Error(location + "/" + std::string(keyword),
                   "must be a non-negative integer, got " + Show(*value));
    }
    if (present) *present = true;
    return Status::OK();
  }

  Status NumberKeyword(const JsonValue& v, std::string_view keyword, const std::string& location, double* out,
                       bool* present) {
    const JsonValue* value = v.Find(keyword);
    if (value == nullptr) return Status::OK();
    if (!value->is_number()) {
      std::string why = "must be a number, got " + Show(*value);
      if (value->is_bool()) why += " (the boolean form is draft-04's; draft-07 takes the bound itself)";
      return Error(location + "/" + std::string(keyword), why);
    }
    *out = value->number;
    *present = true;
    return Status::OK();
  }

  Result<const EcmaRegex*> CompileRegex(std::string_view pattern, const std::string& location) {
    auto regex = EcmaRegex::Compile(pattern);
    if (!regex.ok()) return Error(location, regex.status().message());
    out_->regexes_.push_back(std::move(*regex));
    return out_->regexes_.back().get();
  }

  Status CompileKeywords(const JsonValue& v, const std::string& location, Node* node) {
    if (Status st = CompileTypeAndValues(v, location, node); !st.ok()) return st;
    if (Status st = CompileNumberKeywords(v, location, node); !st.ok()) return st;
    if (Status st = CompileStringKeywords(v, location, node); !st.ok()) return st;
    if (Status st = CompileArrayKeywords(v, location, node); !st.ok()) return st;
    if (Status st = CompileObjectKeywords(v, location, node); !st.ok()) return st;
    if (Status st = CompileApplicators(v, location, node); !st.ok()) return st;
    // Definitions are compiled too, used or not, so that a mistake in one is reported now.
    if (const JsonValue* definitions = v.Find("definitions")) {
      if (!definitions->is_object()) {
        return Error(location + "/definitions", "must be an object of schemas, got " + Show(*definitions));
      }
      for (const auto& [name, schema] : definitions->object) {
        if (!location_of_.count(&schema))
          location_of_[&schema] = location + "/definitions/" + EscapePointerToken(name);
        auto index = CompileSchema(schema);
        if (!index.ok()) return index.status();
      }
    }
    return Status::OK();
  }

  Status CompileTypeAndValues(const JsonValue& v, const std::string& location, Node* node) {
    if (const JsonValue* type = v.Find("type")) {
      auto bit = [](std::string_view name) -> uint8_t {
        if (name == "null") return kTypeNull;
        if (name == "boolean") return kTypeBoolean;
        if (name == "integer") return kTypeInteger;
        if (name == "number") return kTypeInteger | kTypeNumber;
        if (name == "string") return kTypeString;
        if (name == "array") return kTypeArray;
        if (name == "object") return kTypeObject;
        return 0;
      };
      std::string at = location + "/type";
      const char* expected =
          "must be a type name (null, boolean, integer, number, string, array, object) or an "
          "array of them";
      if (type->is_string()) {
        node->types = bit(type->string);
        if (node->types == 0) return Error(at, std::string(expected) + ", got " + Show(*type));
      } else if (type->is_array()) {
        for (const JsonValue& name : type->array) {
          uint8_t b = name.is_string() ? bit(name.string) : 0;
          if (b == 0) return Error(at, std::string(expected) + ", got " + Show(name) + " in the array");
          node->types |= b;
        }
      } else {
        return Error(at, std::string(expected) + ", got " + Show(*type));
      }
      node->checks |= kCheckType;
    }
    if (const JsonValue* values = v.Find("enum")) {
      if (!values->is_array()) return Error(location + "/enum", "must be an array, got " + Show(*values));
      node->checks |= kCheckEnum;
      node->enum_all_strings = true;
      for (const JsonValue& value : values->array) {
        node->enum_values.push_back(&value);
        if (value.is_string()) {
          node->enum_strings.push_back(value.string);
        } else {
          node->enum_all_strings = false;
        }
      }
      if (!node->enum_all_strings) node->enum_strings.clear();
    }
    if (const JsonValue* value = v.Find("const")) {
      node->checks |= kCheckConst;
      node->const_value = value;
    }
    return Status::OK();
  }

  Status CompileNumberKeywords(const JsonValue& v, const std::string& location, Node* node) {
    if (const JsonValue* multiple = v.Find("multipleOf")) {
      if (!multiple->is_number() || !(multiple->number > 0)) {
        return Error(location + "/multipleOf", "must be a number greater than 0, got " + Show(*multiple));
      }
      node->has_multiple_of = true;
      node->multiple_of = multiple;
    }
    Status st = NumberKeyword(v, "minimum", location, &node->minimum, &node->has_minimum);
    if (st.ok()) st = NumberKeyword(v, "maximum", location, &node->maximum, &node->has_maximum);
    if (st.ok()) {
      st = NumberKeyword(v, "exclusiveMinimum", location, &node->exclusive_minimum,
                         &node->has_exclusive_minimum);
    }
    if (st.ok()) {
      st = NumberKeyword(v, "exclusiveMaximum", location, &node->exclusive_maximum,
                         &node->has_exclusive_maximum);
    }
    if (!st.ok()) return st;
    if (node->has_multiple_of || node->has_minimum || node->has_maximum || node->has_exclusive_minimum ||
        node->has_exclusive_maximum) {
      node->checks |= kCheckNumber;
    }
    return Status::OK();
  }

  Status CompileStringKeywords(const JsonValue& v, const std::string& location, Node* node) {
    bool present = false;
    Status st = NonNegativeIntegerKeyword(v, "minLength", location, &node->min_length, &present);
    if (st.ok()) st = NonNegativeIntegerKeyword(v, "maxLength", location, &node->max_length, &present);
    if (!st.ok()) return st;
    if (const JsonValue* pattern = v.Find("pattern")) {
      if (!pattern->is_string())
        return Error(location + "/pattern", "must be a string, got " + Show(*pattern));
      auto regex = CompileRegex(pattern->string, location + "/pattern");
      if (!regex.ok()) return regex.status();
      node->pattern = *regex;
      present = true;
    }
    if (const JsonValue* format = v.Find("format")) {
      if (!format->is_string()) return Error(location + "/format", "must be a string, got " + Show(*format));
      node->format = FormatFromName(format->string);
      present |= node->format != Format::kUnknown;
    }
    if (present) node->checks |= kCheckString;
    return Status::OK();
  }

  Status CompileArrayKeywords(const JsonValue& v, const std::string& location, Node* node) {
    bool present = false;
    if (const JsonValue* items = v.Find("items")) {
      present = true;
      if (items->is_array()) {
        node->has_tuple_items = true;
        if (Status st = CompileSchemaArray(v, "items", location, false, &node->tuple_items); !st.ok())
          return st;
      } else {
        auto index = CompileChild(v, "items", location);
        if (!index.ok()) return index.status();
        node->items = *index;
      }
    }
    // additionalItems means something only beside an array-form `items` (draft-07 §6.4.2).
    if (v.Find("additionalItems") != nullptr) {
      auto index = CompileChild(v, "additionalItems", location);
      if (!index.ok()) return index.status();
      if (node->has_tuple_items) node->additional_items = *index;
    }
    Status st = NonNegativeIntegerKeyword(v, "minItems", location, &node->min_items, &present);
    if (st.ok()) st = NonNegativeIntegerKeyword(v, "maxItems", location, &node->max_items, &present);
    if (!st.ok()) return st;
    if (const JsonValue* unique = v.Find("uniqueItems")) {
      if (!unique->is_bool())
        return Error(location + "/uniqueItems", "must be a boolean, got " + Show(*unique));
      node->unique_items = unique->boolean;
      present |= unique->boolean;
    }
    if (v.Find("contains") != nullptr) {
      auto index = CompileChild(v, "contains", location);
      if (!index.ok()) return index.status();
      node->contains = *index;
      present = true;
    }
    if (present) node->checks |= kCheckArray;
    return Status::OK();
  }

  uint32_t NameEntry(Node* node, std::unordered_map<std::string_view, uint32_t>* index,
                     std::string_view name) {
    auto [it, inserted] = index->emplace(name, static_cast<uint32_t>(node->names.size()));
    if (inserted) {
      node->names.emplace_back();
      node->names.back().name = name;
    }
    return it->second;
  }

  Status CompileObjectKeywords(const JsonValue& v, const std::string& location, Node* node) {
    bool present = false;
    std::unordered_map<std::string_view, uint32_t> index;
    if (const JsonValue* properties = v.Find("properties")) {
      if (!properties->is_object()) {
        return Error(location + "/properties", "must be an object of schemas, got " + Show(*properties));
      }
      present = true;
      for (const auto& [name, schema] : properties->object) {
        if (!location_of_.count(&schema))
          location_of_[&schema] = location + "/properties/" + EscapePointerToken(name);
        auto child = CompileSchema(schema);
        if (!child.ok()) return child.status();
        PropertyEntry& entry = node->names[NameEntry(node, &index, name)];
        if (!entry.in_properties) {  // a duplicated key: the first one counts, as in the rest of logdaemon
          entry.in_properties = true;
          entry.schema = *child;
        }
      }
    }
    if (const JsonValue* required = v.Find("required")) {
      std::string at = location + "/required";
      if (!required->is_array()) return Error(at, "must be an array of strings, got " + Show(*required));
      present = true;
      for (const JsonValue& name : required->array) {
        if (!name.is_string()) return Error(at, "must be an array of strings, got " + Show(name) + " in it");
        node->names[NameEntry(node, &index, name.string)].required = true;
      }
    }
    if (const JsonValue* dependencies = v.Find("dependencies")) {
      std::string at = location + "/dependencies";
      if (!dependencies->is_object()) return Error(at, "must be an object, got " + Show(*dependencies));
      present = true;
      node->has_dependencies = !dependencies->object.empty();
      for (const auto& [name, dependency] : dependencies->object) {
        uint32_t entry = NameEntry(node, &index, name);
        if (dependency.is_array()) {
          std::vector<uint32_t> names;
          for (const JsonValue& other : dependency.array) {
            if (!other.is_string()) {
              return Error(at + "/" + EscapePointerToken(name),
                           "must be a schema or an array of strings, got " + Show(other) + " in the array");
            }
            names.push_back(NameEntry(node, &index, other.string));
          }
          node->names[entry].dependency_names = std::move(names);
        } else {
          if (!location_of_.count(&dependency))
            location_of_[&dependency] = at + "/" + EscapePointerToken(name);
          auto child = CompileSchema(dependency);
          if (!child.ok()) return child.status();
          node->names[entry].dependency_schema = *child;
        }
      }
    }
    for (size_t i = 0; i < node->names.size() && i < kPresenceBits; ++i) {
      if (node->names[i].required) node->required_mask |= uint64_t{1} << i;
    }
    if (node->names.size() > kMaxScannedNames) node->name_index = std::move(index);
    if (const JsonValue* patterns = v.Find("patternProperties")) {
      std::string at = location + "/patternProperties";
      if (!patterns->is_object()) return Error(at, "must be an object of schemas, got " + Show(*patterns));
      present = true;
      for (const auto& [pattern, schema] : patterns->object) {
        std::string here = at + "/" + EscapePointerToken(pattern);
        auto regex = CompileRegex(pattern, here);
        if (!regex.ok()) return regex.status();
        if (!location_of_.count(&schema)) location_of_[&schema] = here;
        auto child = CompileSchema(schema);
        if (!child.ok()) return child.status();
        node->pattern_properties.push_back({*regex, *child});
      }
    }
    if (v.Find("additionalProperties") != nullptr) {
      auto child = CompileChild(v, "additionalProperties", location);
      if (!child.ok()) return child.status();
      node->additional_properties = *child;
      present = true;
    }
    if (v.Find("propertyNames") != nullptr) {
      auto child = CompileChild(v, "propertyNames", location);
      if (!child.ok()) return child.status();
      node->property_names = *child;
      present = true;
    }
    Status st = NonNegativeIntegerKeyword(v, "minProperties", location, &node->min_properties, &present);
    if (st.ok())
      st = NonNegativeIntegerKeyword(v, "maxProperties", location, &node->max_properties, &present);
    if (!st.ok()) return st;
    if (present) node->checks |= kCheckObject;
    return Status::OK();
  }

  Status CompileApplicators(const JsonValue& v, const std::string& location, Node* node) {
    struct ArrayApplicator {
      std::string_view keyword;
      std::vector<NodeIndex>* out;
      Check check;
    } arrays[] = {{"allOf", &node->all_of, kCheckAllOf},
                  {"anyOf", &node->any_of, kCheckAnyOf},
                  {"oneOf", &node->one_of, kCheckOneOf}};
    for (ArrayApplicator& applicator : arrays) {
      if (v.Find(applicator.keyword) == nullptr) continue;
      if (Status st = CompileSchemaArray(v, applicator.keyword, location, true, applicator.out); !st.ok())
        return st;
      node->checks |= applicator.check;
    }
    struct SingleApplicator {
      std::string_view keyword;
      NodeIndex* out;
    } singles[] = {{"not", &node->not_schema},
                   {"if", &node->if_schema},
                   {"then", &node->then_schema},
                   {"else", &node->else_schema}};
    for (SingleApplicator& applicator : singles) {
      if (v.Find(applicator.keyword) == nullptr) continue;
      auto child = CompileChild(v, applicator.keyword, location);
      if (!child.ok()) return child.status();
      *applicator.out = *child;
    }
    if (node->not_schema != kNoNode) node->checks |= kCheckNot;
    // then / else without if are ignored (draft-07 §6.6); if alone asserts nothing.
    if (node->if_schema != kNoNode && (node->then_schema != kNoNode || node->else_schema != kNoNode)) {
      node->checks |= kCheckIf;
    }
    return Status::OK();
  }

  // A schema that reaches itself again through applicators on the same value ($ref, allOf, anyOf, oneOf,
  // not, if/then/else, schema dependencies) would recurse forever: refuse it, naming where.
  Status CheckNoLoopWithoutProgress() {
    const auto& nodes = out_->nodes_;
    enum : uint8_t { kUnseen, kOnPath, kDone };
    std::vector<uint8_t> state(nodes.size(), kUnseen);
    auto same_instance_children = [&](const Node& n, std::vector<NodeIndex>* out) {
      out->clear();
      out->insert(out->end(), n.all_of.begin(), n.all_of.end());
      out->insert(out->end(), n.any_of.begin(), n.any_of.end());
      out->insert(out->end(), n.one_of.begin(), n.one_of.end());
      for (NodeIndex i : {n.not_schema, n.if_schema, n.then_schema, n.else_schema}) {
        if (i != kNoNode) out->push_back(i);
      }
      for (const PropertyEntry& entry : n.names) {
        if (entry.dependency_schema != kNoNode) out->push_back(entry.dependency_schema);
      }
    };
    // Iterative depth-first search: schemas can be deep, the stack of this thread is not.
    struct Frame {
      NodeIndex node;
      std::vector<NodeIndex> children;
      size_t next = 0;
    };
    std::vector<Frame> stack;
    for (NodeIndex start = 0; start < nodes.size(); ++start) {
      if (state[start] != kUnseen) continue;
      stack.push_back({start, {}, 0});
      same_instance_children(nodes[start], &stack.back().children);
      state[start] = kOnPath;
      while (!stack.empty()) {
        Frame& frame = stack.back();
        if (frame.next == frame.children.size()) {
          state[frame.node] = kDone;
          stack.pop_back();
          continue;
        }
        NodeIndex child = frame.children[frame.next++];
        if (state[child] == kOnPath) {
          return Error(out_->locations_[child],
                       "this schema applies itself again to the same value (through $ref and "
                       "allOf/anyOf/oneOf/not/if/dependencies), so validation would never end");
        }
        if (state[child] == kDone) continue;
        state[child] = kOnPath;
        stack.push_back({child, {}, 0});
        same_instance_children(nodes[child], &stack.back().children);
      }
    }
    return Status::OK();
  }

  const CompileOptions& options_;
  CompiledSchema* out_;
  std::unordered_map<std::string, const JsonValue*> resources_;
  std::unordered_map<std::string, const JsonValue*> anchors_;
  std::unordered_map<const JsonValue*, std::string> base_of_;
  std::unordered_map<const JsonValue*, std::string> location_of_;
  std::unordered_map<const JsonValue*, NodeIndex> memo_;
  std::vector<std::pair<const JsonValue*, NodeIndex>> pending_;  // nodes whose keywords are not compiled yet
};

Result<std::shared_ptr<const CompiledSchema>> SchemaCompiler::Compile(std::string_view text,
                                                                      const CompileOptions& options) {
  auto schema = std::make_shared<CompiledSchema>();
  SchemaCompilerImpl compiler(options, schema.get());
  if (Status st = compiler.Run(text, ""); !st.ok()) return st;
  return std::shared_ptr<const CompiledSchema>(std::move(schema));
}

Result<std::shared_ptr<const CompiledSchema>> SchemaCompiler::CompileFile(const std::string& path,
                                                                          CompileOptions options) {
  auto text = ReadFileToString(path, options.max_document_bytes);
  if (!text.ok()) return text.status();
  return CompileFileText(path, *text, std::move(options));
}

Result<std::shared_ptr<const CompiledSchema>> SchemaCompiler::CompileFileText(const std::string& path,
                                                                              std::string_view text,
                                                                              CompileOptions options) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  if (options.base_uri.empty()) options.base_uri = "file://" + absolute.lexically_normal().string();
  // Schemas beside this one are found by relative references ("common.json#/definitions/x").
  std::string dir = absolute.parent_path().lexically_normal().string();
  if (dir.empty() || dir.back() != '/') dir.push_back('/');
  options.uri_prefixes.emplace_back("file://" + dir, dir);
  auto compiled = Compile(text, options);
  if (!compiled.ok()) return compiled.status().WithContext(path);
  return compiled;
}

}  // namespace logdaemon::schema
