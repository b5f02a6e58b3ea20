// CompiledSchema: a JSON Schema draft-07 document turned into a flat array of nodes that Validator walks.
// Each node holds the checks of one (sub)schema, with every `$ref` already resolved to a node index, every
// regex compiled and every keyword's argument decoded, so validation does no lookup, parse or
// allocation of its own.
//
// Thread-safety: immutable after SchemaCompiler builds it; one CompiledSchema serves any number of
// threads, each with its own Validator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "schema/formats.h"
#include "schema/json_value.h"
#include "schema/regex.h"

namespace logdaemon::schema {

using NodeIndex = uint32_t;
inline constexpr NodeIndex kNoNode = UINT32_MAX;

// The instance types of JSON Schema, as bits. kInteger is the integral subset of kNumber: a schema that
// allows "number" sets both.
enum TypeBits : uint8_t {
  kTypeNull = 1 << 0,
  kTypeBoolean = 1 << 1,
  kTypeInteger = 1 << 2,
  kTypeNumber = 1 << 3,
  kTypeString = 1 << 4,
  kTypeArray = 1 << 5,
  kTypeObject = 1 << 6,
};

// Which checks a node has, so the validator tests one word before touching any of them.
enum Check : uint32_t {
  kCheckFalse = 1u << 0,  // the boolean schema false
  kCheckType = 1u << 1,
  kCheckEnum = 1u << 2,
  kCheckConst = 1u << 3,
  kCheckNumber = 1u << 4,  // any of multipleOf, minimum, maximum, exclusiveMinimum, exclusiveMaximum
  kCheckString = 1u << 5,  // any of minLength, maxLength, pattern, format
  kCheckArray = 1u << 6,   // any array keyword
  kCheckObject = 1u << 7,  // any object keyword
  kCheckAllOf = 1u << 8,
  kCheckAnyOf = 1u << 9,
  kCheckOneOf = 1u << 10,
  kCheckNot = 1u << 11,
  kCheckIf = 1u << 12,
};

// One name an object schema knows: from `properties`, `required` or `dependencies`.
struct PropertyEntry {
  std::string_view name;       // points into the schema document
  NodeIndex schema = kNoNode;  // `properties` subschema, kNoNode when the name is not in `properties`
  bool in_properties = false;  // additionalProperties does not apply to it
  bool required = false;
  NodeIndex dependency_schema = kNoNode;   // `dependencies` as a schema
  std::vector<uint32_t> dependency_names;  // `dependencies` as an array: indexes of entries
};

struct PatternProperty {
  const EcmaRegex* regex;
  NodeIndex schema;
};

struct Node {
  uint32_t checks = 0;
  uint8_t types = 0;

  // enum / const (values live in the schema document).
  std::vector<const JsonValue*> enum_values;
  bool enum_all_strings = false;
  std::vector<std::string_view> enum_strings;  // when enum_all_strings
  const JsonValue* const_value = nullptr;

  // Numbers. has_* says which bounds apply.
  bool has_multiple_of = false, has_minimum = false, has_maximum = false;
  bool has_exclusive_minimum = false, has_exclusive_maximum = false;
  const JsonValue* multiple_of = nullptr;
  double minimum = 0, maximum = 0, exclusive_minimum = 0, exclusive_maximum = 0;

  // Strings (lengths in code points).
  uint64_t min_length = 0, max_length = UINT64_MAX;
  const EcmaRegex* pattern = nullptr;
  Format format = Format::kUnknown;

  // Arrays.
  NodeIndex items = kNoNode;           // `items` as one schema
  std::vector<NodeIndex> tuple_items;  // `items` as an array
  bool has_tuple_items = false;
  NodeIndex additional_items = kNoNode;
  uint64_t min_items = 0, max_items = UINT64_MAX;
  bool unique_items = false;
  NodeIndex contains = kNoNode;

  // Objects.
  std::vector<PropertyEntry> names;
  std::unordered_map<std::string_view, uint32_t> name_index;  // filled when names is large
  uint64_t required_mask = 0;  // presence bits (entries < 64) of required names
  bool has_dependencies = false;
  std::vector<PatternProperty> pattern_properties;
  NodeIndex additional_properties = kNoNode;
  NodeIndex property_names = kNoNode;
  uint64_t min_properties = 0, max_properties = UINT64_MAX;

  // Applicators on the same instance.
  std::vector<NodeIndex> all_of, any_of, one_of;
  NodeIndex not_schema = kNoNode;
  NodeIndex if_schema = kNoNode, then_schema = kNoNode, else_schema = kNoNode;
};

// Entries past this many in a node's name table are found through name_index instead of a scan, and
// have no presence bit.
inline constexpr size_t kMaxScannedNames = 16;
inline constexpr size_t kPresenceBits = 64;

class CompiledSchema {
 public:
  CompiledSchema() = default;
  CompiledSchema(const CompiledSchema&) = delete;
  CompiledSchema& operator=(const CompiledSchema&) = delete;

  NodeIndex root() const { return root_; }
  const Node& node(NodeIndex i) const { return nodes_[i]; }
  size_t node_count() const { return nodes_.size(); }
  // The root schema document.
  const JsonValue& document() const { return *documents_.front(); }
  // Where node `i` is in its document ("#/properties/level"), for messages.
  const std::string& location(NodeIndex i) const { return locations_[i]; }

 private:
  friend class SchemaCompilerImpl;

  NodeIndex root_ = kNoNode;
  std::vector<Node> nodes_;
  std::vector<std::string> locations_;
  std::vector<std::unique_ptr<JsonValue>> documents_;  // root first, then every document it refers to
  std::vector<std::unique_ptr<EcmaRegex>> regexes_;
};

}  // namespace logdaemon::schema
