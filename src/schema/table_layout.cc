#include "schema/table_layout.h"

namespace logdaemon {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kString:
      return "STRING";
    case ColumnType::kInt64:
      return "INT64";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kBoolean:
      return "BOOLEAN";
    case ColumnType::kJson:
      return "JSON";
  }
  return "JSON";
}

}  // namespace logdaemon

namespace logdaemon::schema {

namespace {

// The column type of a property's schema node, and whether it admits null besides.
ColumnType TypeOf(const Node& node, bool* nullable) {
  uint8_t types = node.types;
  if (!(node.checks & kCheckType)) {
    // No `type`, but an enum or const of strings only still holds strings.
    bool strings = (node.checks & kCheckEnum) && node.enum_all_strings && !node.enum_values.empty();
    if ((node.checks & kCheckConst) && node.const_value->is_string()) strings = true;
    *nullable = false;
    return strings ? ColumnType::kString : ColumnType::kJson;
  }
  *nullable = types & kTypeNull;
  types &= static_cast<uint8_t>(~kTypeNull);
  switch (types) {
    case kTypeString:
      return node.format == Format::kDateTime ? ColumnType::kTimestamp : ColumnType::kString;
    case kTypeInteger:
      return ColumnType::kInt64;
    case kTypeInteger | kTypeNumber:
      return ColumnType::kDouble;
    case kTypeBoolean:
      return ColumnType::kBoolean;
    default:
      // Objects, arrays, several types, or null alone: kept as JSON text.
      return ColumnType::kJson;
  }
}

}  // namespace

Result<TableLayout> BuildTableLayout(const CompiledSchema& schema, std::string_view time_field,
                                     bool time_field_explicit) {
  const Node& root = schema.node(schema.root());
  if (root.checks & kCheckFalse) return Status::InvalidArgument("the schema is `false`: it accepts no log");
  if ((root.checks & kCheckType) && !(root.types & kTypeObject)) {
    return Status::InvalidArgument("#/type: the schema must accept objects: every log is a JSON object");
  }
  TableLayout layout;
  for (const PropertyEntry& entry : root.names) {
    if (!entry.in_properties) continue;
    if (entry.name == TableLayout::kExtraColumn) {
      return Status::InvalidArgument(
          "#/properties/_extra: the name _extra is reserved for undeclared properties");
    }
    bool nullable = false;
    ColumnType type = TypeOf(schema.node(entry.schema), &nullable);
    layout.columns.push_back({std::string(entry.name), type, entry.required && !nullable});
    if (entry.name == time_field) {
      if (type != ColumnType::kTimestamp) {
        return Status::InvalidArgument("#/properties/" + std::string(entry.name) + ": the time field \"" +
                                       std::string(time_field) +
                                       "\" must be {\"type\": \"string\", \"format\": \"date-time\"}");
      }
      layout.time_column = static_cast<int>(layout.columns.size() - 1);
    }
  }
  if (layout.time_column < 0 && time_field_explicit) {
    return Status::InvalidArgument("the time field \"" + std::string(time_field) +
                                   "\" is not a property of the schema");
  }
  // Undeclared properties can occur unless additionalProperties is false and no patternProperties
  // exist (names matching a pattern are not columns either).
  bool closed = root.additional_properties != kNoNode &&
                (schema.node(root.additional_properties).checks & kCheckFalse) &&
                root.pattern_properties.empty();
  if (!closed) {
    layout.columns.push_back({std::string(TableLayout::kExtraColumn), ColumnType::kJson, false});
    layout.extra_column = static_cast<int>(layout.columns.size() - 1);
  }
  return layout;
}

}  // namespace logdaemon::schema
