#include "http/es_bulk.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http/es_probe.h"
#include "http/log_batch.h"

namespace logdaemon::http {
namespace es_bulk_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using ingest::AdmitResult;

// A parsed request: what ParseBulk returned, filled.
struct Parsed {
  Status status;
  LogBatch logs;
  std::vector<BulkItem> items;
};

// The body with simdjson's padding after it (ParseBulk's contract), copied into the batch.
Parsed Parse(std::string_view body, std::string_view url_index = "", const BulkOptions& options = {}) {
  std::string padded(body);
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  Parsed parsed;
  parsed.status = ParseBulk(std::string_view(padded).substr(0, body.size()), url_index, options, &parsed.logs,
                            &parsed.items);
  return parsed;
}

// The same, with the body adopted by the batch (the no-copy path the server uses).
Parsed ParseAdopted(std::string_view body, const BulkOptions& options = {}) {
  std::string padded(body);
  padded.append(simdjson::SIMDJSON_PADDING, ' ');
  Parsed parsed;
  parsed.logs.AdoptBuffer(std::move(padded));
  const std::string_view view(parsed.logs.buffer().data(), body.size());
  parsed.status = ParseBulk(view, "", options, &parsed.logs, &parsed.items);
  return parsed;
}

std::string Message(const Parsed& parsed) {
  return parsed.status.message();
}

// Stands in for the admission path: a log that is not a JSON object is refused as the socket refuses
// it; anything else is accepted.
void Admit(Parsed* parsed) {
  simdjson::dom::parser parser;
  for (BulkItem& item : parsed->items) {
    if (item.log < 0) continue;
    std::string_view text = parsed->logs.log(static_cast<size_t>(item.log));
    simdjson::dom::element element;
    AdmitResult result;
    std::string message;
    if (parser.parse(text.data(), text.size(), false).get(element) != simdjson::SUCCESS) {
      result.kind = AdmitResult::Kind::kRejected;
      result.reason = RejectReason::kInvalidJson;
      message = "invalid JSON: cannot parse";
    } else if (element.type() != simdjson::dom::element_type::OBJECT) {
      result.kind = AdmitResult::Kind::kRejected;
      result.reason = RejectReason::kNotObject;
      message = "not an object: a log is one JSON object";
    }
    SetItemResult(&item, result, message);
  }
}

// The response, parsed back; the tests read it as a client does.
class Response {
 public:
  explicit Response(std::string text) : text_(std::move(text)) {
    EXPECT_EQ(parser_.parse(text_).get(root_), simdjson::SUCCESS) << text_;
  }
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::array items() const { return root_["items"].get_array().value(); }
  // items[i]'s only member: {"index": {...}} -> ("index", {...}).
  std::pair<std::string_view, simdjson::dom::object> item(size_t i) const {
    simdjson::dom::object wrapper = items().at(i).get_object().value();
    EXPECT_EQ(wrapper.size(), 1u);
    auto member = *wrapper.begin();
    return {member.key, member.value.get_object().value()};
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

std::vector<std::string> Keys(simdjson::dom::object object) {
  std::vector<std::string> keys;
  for (auto member : object) keys.emplace_back(member.key);
  return keys;
}

// ---- Actions, documents, order ----------------------------------------------------------------------

TEST(EsBulkParse, IndexAndCreateDocumentsBecomeLogsInOrder) {
  Parsed p = Parse(
      "{\"index\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"message\":\"one\"}\n"
      "{\"create\":{}}\n{\"message\":\"two\"}\n"
      "{ \"index\" : { } }\n  {\"message\":\"three\"}  \n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 3u);
  ASSERT_EQ(p.logs.size(), 3u);
  EXPECT_EQ(p.logs.log(0), "{\"message\":\"one\"}");
  EXPECT_EQ(p.logs.log(1), "{\"message\":\"two\"}");
  EXPECT_EQ(p.logs.log(2), "  {\"message\":\"three\"}  ");
  EXPECT_EQ(p.items[0].action, "index");
  EXPECT_EQ(p.items[0].index, "a");
  EXPECT_EQ(p.items[0].id, "1");
  EXPECT_EQ(p.items[1].action, "create");
  EXPECT_EQ(p.items[1].index, "logdaemon");
  EXPECT_EQ(p.items[1].id, "");
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p.items[i].log, i);
    EXPECT_EQ(p.items[i].status, 0);  // pending: the admission decides
  }
}

TEST(EsBulkParse, DeleteAndUpdateAreRefusedPerItemAndTheirLinesConsumed) {
  Parsed p = Parse(
      "{\"delete\":{\"_index\":\"a\",\"_id\":\"9\"}}\n"
      "{\"update\":{\"_id\":\"7\"}}\n{\"doc\":{\"message\":\"not a log\"}}\n"
      "{\"index\":{}}\n{\"message\":\"kept\"}\n"
      "{\"delete\":{\"_id\":\"8\"}}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 4u);
  ASSERT_EQ(p.logs.size(), 1u);
  EXPECT_EQ(p.logs.log(0), "{\"message\":\"kept\"}");
  const char* actions[] = {"delete", "update", "index", "delete"};
  const int statuses[] = {400, 400, 0, 400};
  const int64_t logs[] = {-1, -1, 0, -1};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p.items[i].action, actions[i]);
    EXPECT_EQ(p.items[i].status, statuses[i]) << i;
    EXPECT_EQ(p.items[i].log, logs[i]) << i;
  }
  EXPECT_EQ(p.items[0].error_type, "illegal_argument_exception");
  EXPECT_NE(p.items[0].error_reason.find("[delete] is not supported"), std::string::npos);
  EXPECT_NE(p.items[1].error_reason.find("[update] is not supported"), std::string::npos);
  EXPECT_EQ(p.items[0].id, "9");
}

TEST(EsBulkParse, MissingTrailingNewlineIsAccepted) {
  Parsed p = Parse("{\"index\":{}}\n{\"message\":\"last\"}");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.logs.size(), 1u);
  EXPECT_EQ(p.logs.log(0), "{\"message\":\"last\"}");
  // A lone delete without its newline too.
  Parsed d = Parse("{\"delete\":{\"_id\":\"1\"}}");
  ASSERT_TRUE(d.status.ok()) << Message(d);
  EXPECT_EQ(d.items.size(), 1u);
}

TEST(EsBulkParse, CrlfLinesLoseTheirCarriageReturn) {
  Parsed p = Parse("{\"index\":{\"_id\":\"1\"}}\r\n{\"message\":\"a\"}\r\n{\"create\":{}}\r\n{\"m\":1}\r\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.logs.size(), 2u);
  EXPECT_EQ(p.logs.log(0), "{\"message\":\"a\"}");
  EXPECT_EQ(p.logs.log(1), "{\"m\":1}");
  EXPECT_EQ(p.items[0].id, "1");
}

TEST(EsBulkParse, BlankLinesWhereAnActionIsExpectedAreSkipped) {
  Parsed p = Parse("\n   \n\t\r\n{\"index\":{}}\n{\"a\":1}\n\n\n{\"index\":{}}\n{\"b\":2}\n\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.logs.log(0), "{\"a\":1}");
  EXPECT_EQ(p.logs.log(1), "{\"b\":2}");
}

TEST(EsBulkParse, BlankLineWhereADocumentIsExpectedIsThatDocument) {
  // As in Elasticsearch: the line after an action is its document, whatever it holds.
  Parsed p = Parse("{\"index\":{}}\n\n{\"index\":{}}\n{\"b\":2}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.logs.log(0), "");
  Admit(&p);
  EXPECT_EQ(p.items[0].status, 400);
  EXPECT_EQ(p.items[0].error_type, "document_parsing_exception");
  EXPECT_EQ(p.items[1].status, 201);
}

TEST(EsBulkParse, DocumentsThatAreNotObjectsAreLeftToTheAdmission) {
  Parsed p = Parse(
      "{\"index\":{}}\n[1,2]\n{\"index\":{}}\n\"text\"\n{\"index\":{}}\n{not json\n"
      "{\"index\":{}}\n{\"ok\":true}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 4u);
  Admit(&p);
  EXPECT_EQ(p.items[0].status, 400);
  EXPECT_EQ(p.items[0].error_reason, "not an object: a log is one JSON object");
  EXPECT_EQ(p.items[1].status, 400);
  EXPECT_EQ(p.items[2].status, 400);
  EXPECT_EQ(p.items[2].error_reason, "invalid JSON: cannot parse");
  EXPECT_EQ(p.items[3].status, 201);
}

TEST(EsBulkParse, ActionAtTheEndWithoutItsDocumentIsRefusedPerItem) {
  for (std::string_view body : {"{\"index\":{}}\n{\"a\":1}\n{\"create\":{\"_id\":\"x\"}}\n",
                                "{\"index\":{}}\n{\"a\":1}\n{\"create\":{\"_id\":\"x\"}}"}) {
    Parsed p = Parse(body);
    ASSERT_TRUE(p.status.ok()) << Message(p);
    ASSERT_EQ(p.items.size(), 2u);
    EXPECT_EQ(p.items[0].log, 0);
    EXPECT_EQ(p.items[1].status, 400);
    EXPECT_EQ(p.items[1].log, -1);
    EXPECT_EQ(p.items[1].error_reason, "the [create] action on line [3] has no document line after it");
    EXPECT_EQ(p.logs.size(), 1u);
  }
  Parsed only = Parse("{\"index\":{}}\n");
  ASSERT_TRUE(only.status.ok());
  EXPECT_EQ(only.items.size(), 1u);
  EXPECT_EQ(only.items[0].status, 400);
}

// ---- Whole-request refusals, with Elasticsearch's reasons -------------------------------------------

TEST(EsBulkParse, ActionLineThatIsNotJsonRefusesTheRequest) {
  Parsed p = Parse("{\"index\":{}}\n{\"a\":1}\n\n{\"index\":{\n{\"b\":2}\n");
  ASSERT_FALSE(p.status.ok());
  EXPECT_EQ(p.status.code(), Status::Code::kInvalidArgument);
  // Line numbers count every line, blank ones included, as Elasticsearch counts them.
  EXPECT_EQ(Message(p).rfind("Malformed action/metadata line [4], not valid JSON: ", 0), 0u) << Message(p);
  Parsed garbage = Parse("hello\n{}\n");
  EXPECT_EQ(Message(garbage).rfind("Malformed action/metadata line [1], not valid JSON: ", 0), 0u);
}

TEST(EsBulkParse, ActionLineWithInvalidUtf8OrNulRefusesTheRequest) {
  EXPECT_EQ(Message(Parse("{\"index\":{\"_index\":\"a\xff\"}}\n{}\n")),
            "Malformed action/metadata line [1], not valid JSON: invalid UTF-8 at byte 21");
  static constexpr char kNul[] = "{\"index\":{}}\0\n{}\n";
  const std::string nul(kNul, sizeof(kNul) - 1);
  EXPECT_EQ(Message(Parse(nul)).rfind("Malformed action/metadata line [1], not valid JSON: ", 0), 0u);
  // In a document, invalid bytes are the admission's to refuse.
  Parsed doc = Parse("{\"index\":{}}\n{\"a\":\"\xff\"}\n");
  ASSERT_TRUE(doc.status.ok());
  EXPECT_EQ(doc.logs.log(0), "{\"a\":\"\xff\"}");
}

TEST(EsBulkParse, ActionLineThatIsNotAnObjectRefusesTheRequest) {
  EXPECT_EQ(Message(Parse("[1]\n{}\n")),
            "Malformed action/metadata line [1], expected START_OBJECT but found [START_ARRAY]");
  EXPECT_EQ(Message(Parse("\"index\"\n{}\n")),
            "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_STRING]");
  EXPECT_EQ(Message(Parse("12\n{}\n")),
            "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_NUMBER]");
  EXPECT_EQ(Message(Parse("null\n")),
            "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_NULL]");
  EXPECT_EQ(Message(Parse("{}\n{}\n")),
            "Malformed action/metadata line [1], expected FIELD_NAME but found [END_OBJECT]");
}

TEST(EsBulkParse, ActionObjectWithTwoKeysRefusesTheRequest) {
  Parsed p = Parse("{\"index\":{},\"create\":{}}\n{\"a\":1}\n");
  EXPECT_EQ(Message(p), "Malformed action/metadata line [1], expected END_OBJECT but found [FIELD_NAME]");
}

TEST(EsBulkParse, UnknownActionRefusesTheRequest) {
  Parsed p = Parse("{\"index\":{}}\n{}\n{\"upsert\":{}}\n{}\n");
  EXPECT_EQ(Message(p),
            "Malformed action/metadata line [3], expected one of [create, delete, index, update] but found "
            "[upsert]");
  // What a client sends is quoted, not echoed whole.
  Parsed long_name = Parse("{\"" + std::string(10000, 'x') + "\":{}}\n{}\n");
  EXPECT_LT(Message(long_name).size(), 400u);
  EXPECT_NE(Message(long_name).find("xxx...]"), std::string::npos) << Message(long_name);
}

TEST(EsBulkParse, MetadataThatIsNotAnObjectRefusesTheRequest) {
  EXPECT_EQ(
      Message(Parse("{\"index\":\"logs\"}\n{}\n")),
      "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]");
  EXPECT_EQ(Message(Parse("{\"index\":null}\n{}\n")),
            "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_NULL]");
  EXPECT_EQ(
      Message(Parse("{\"index\":{\"_id\":[\"x\"]}}\n{}\n")),
      "Malformed action/metadata line [1], expected a simple value for field [_id] but found [START_ARRAY]");
  EXPECT_EQ(Message(Parse("{\"index\":{\"_index\":{\"a\":1}}}\n{}\n")),
            "Malformed action/metadata line [1], expected a simple value for field [_index] but found "
            "[START_OBJECT]");
}

TEST(EsBulkParse, BodyWithoutActionsRefusesTheRequest) {
  EXPECT_EQ(Message(Parse("")), "Validation Failed: 1: no requests added;");
  EXPECT_EQ(Message(Parse("\n \r\n\n")), "Validation Failed: 1: no requests added;");
}

TEST(EsBulkParse, OpTypeCreateAnswersUnderCreate) {
  Parsed p = Parse("{\"index\":{\"op_type\":\"create\"}}\n{}\n{\"index\":{\"op_type\":\"index\"}}\n{}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  EXPECT_EQ(p.items[0].action, "create");
  EXPECT_EQ(p.items[1].action, "index");
  EXPECT_EQ(Message(Parse("{\"index\":{\"op_type\":\"upsert\"}}\n{}\n")),
            "opType must be 'create' or 'index', found: [upsert]");
}

TEST(EsBulkParse, UnknownParametersTypeAndNullsAreIgnored) {
  // Fluent Bit sends _type by default; Logstash and the clients send routing, pipeline, require_alias.
  Parsed p = Parse(
      "{\"index\":{\"_index\":\"fb\",\"_type\":\"_doc\",\"routing\":\"r\",\"pipeline\":\"p\","
      "\"require_alias\":true,\"version\":3,\"if_seq_no\":1,\"_source\":{\"includes\":[\"a\"]},"
      "\"dynamic_templates\":{\"a\":\"b\"},\"something_new\":1}}\n{\"a\":1}\n"
      "{\"create\":{\"_index\":null,\"_id\":null}}\n{\"b\":2}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  EXPECT_EQ(p.items[0].index, "fb");
  EXPECT_EQ(p.items[1].index, "logdaemon");
  EXPECT_EQ(p.items[1].id, "");
  EXPECT_EQ(p.items[1].status, 0);
}

TEST(EsBulkParse, ActionLinesNestedTooDeepRefuseTheRequest) {
  std::string deep = "{\"index\":{\"_source\":";
  for (int i = 0; i < 100000; ++i) deep += "[";
  deep += "\n{}\n";
  Parsed p = Parse(deep);
  EXPECT_FALSE(p.status.ok());
  EXPECT_EQ(Message(p).rfind("Malformed action/metadata line [1], not valid JSON: ", 0), 0u) << Message(p);
}

// ---- Index and id -------------------------------------------------------------------------------------

TEST(EsBulkParse, IndexComesFromTheActionThenTheUrlThenTheDefault) {
  const std::string body =
      "{\"index\":{\"_index\":\"mine\"}}\n{}\n{\"index\":{}}\n{}\n{\"index\":{\"_index\":\"\"}}\n{}\n";
  Parsed url = Parse(body, "from-url");
  ASSERT_TRUE(url.status.ok());
  EXPECT_EQ(url.items[0].index, "mine");
  EXPECT_EQ(url.items[1].index, "from-url");
  EXPECT_EQ(url.items[2].index, "from-url");
  Parsed none = Parse(body);
  EXPECT_EQ(none.items[1].index, "logdaemon");
}

TEST(EsBulkParse, ScalarIdsAndIndexesKeepTheirText) {
  Parsed p = Parse("{\"index\":{\"_id\":42,\"_index\":7}}\n{}\n{\"index\":{\"_id\":\"\\u00e9\\\"q\"}}\n{}\n");
  ASSERT_TRUE(p.status.ok()) << Message(p);
  EXPECT_EQ(p.items[0].id, "42");
  EXPECT_EQ(p.items[0].index, "7");
  EXPECT_EQ(p.items[1].id, "\xc3\xa9\"q");
}

TEST(EsBulkParse, EmptyAndOverlongIdsAreRefusedPerItem) {
  const std::string limit(512, 'i');
  const std::string over(513, 'o');
  const std::string huge(1 << 20, 'h');
  std::string body = "{\"index\":{\"_id\":\"\"}}\n{\"a\":1}\n";
  body += "{\"index\":{\"_id\":\"" + limit + "\"}}\n{\"b\":2}\n";
  body += "{\"create\":{\"_id\":\"" + over + "\"}}\n{\"c\":3}\n";
  body += "{\"index\":{\"_id\":\"" + huge + "\"}}\n{\"d\":4}\n";
  Parsed p = Parse(body);
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 4u);
  EXPECT_EQ(p.items[0].status, 400);
  EXPECT_EQ(p.items[0].error_reason, "if _id is specified it must not be empty");
  EXPECT_EQ(p.items[1].status, 0);
  EXPECT_EQ(p.items[1].log, 0);
  EXPECT_EQ(p.items[2].status, 400);
  EXPECT_EQ(p.items[2].error_reason, "id [" + std::string(64, 'o') +
                                         "...] is too long, must be no longer than 512 bytes but was: 513");
  EXPECT_EQ(p.items[3].status, 400);
  EXPECT_EQ(p.items[3].id.size(), huge.size());
  ASSERT_EQ(p.logs.size(), 1u);  // refused items' documents are skipped
  EXPECT_EQ(p.logs.log(0), "{\"b\":2}");
  Admit(&p);
  Response r(BulkResponse(p.items, 1));
  EXPECT_EQ(r.item(3).second["_id"].get_string().value().size(), huge.size());
  EXPECT_EQ(r.item(1).second["status"].get_int64().value(), 201);
}

// ---- Document rewriting ---------------------------------------------------------------------------------

std::string OneLog(std::string_view doc, const BulkOptions& options = {}) {
  Parsed p = Parse("{\"index\":{}}\n" + std::string(doc) + "\n", "", options);
  EXPECT_TRUE(p.status.ok()) << Message(p);
  EXPECT_EQ(p.logs.size(), 1u);
  return p.logs.empty() ? "" : std::string(p.logs.log(0));
}

TEST(EsBulkRewrite, TimestampIsRenamedToTheTimeField) {
  EXPECT_EQ(OneLog("{\"@timestamp\":\"2024-05-01T10:00:00.000Z\",\"message\":\"m\"}"),
            "{\"timestamp\":\"2024-05-01T10:00:00.000Z\",\"message\":\"m\"}");
  // The rest of the bytes are kept as written: spaces, order, escapes, numbers.
  EXPECT_EQ(OneLog("  { \"a\" : 1.50e3 ,\t \"@timestamp\" : \"t\", \"s\":\"\\u00e9\\n\"}"),
            "  { \"a\" : 1.50e3 ,\t \"timestamp\" : \"t\", \"s\":\"\\u00e9\\n\"}");
  BulkOptions custom;
  custom.time_field = "ts";
  EXPECT_EQ(OneLog("{\"@timestamp\":\"t\"}", custom), "{\"ts\":\"t\"}");
}

TEST(EsBulkRewrite, TimestampIsKeptWhenTheTimeFieldIsThereOrTheKeyIsNotTopLevel) {
  const std::string both = "{\"@timestamp\":\"a\",\"timestamp\":\"b\"}";
  EXPECT_EQ(OneLog(both), both);
  const std::string both_reversed = "{\"timestamp\":\"b\",\"@timestamp\":\"a\"}";
  EXPECT_EQ(OneLog(both_reversed), both_reversed);
  const std::string nested = "{\"timestamp\":\"b\",\"x\":{\"@timestamp\":\"a\"}}";
  EXPECT_EQ(OneLog(nested), nested);
  const std::string nested_only = "{\"x\":{\"@timestamp\":\"a\"},\"s\":\"\\\"@timestamp\\\"\"}";
  EXPECT_EQ(OneLog(nested_only), nested_only);
  const std::string in_value = "{\"message\":\"\\\"@timestamp\\\" is late\"}";
  EXPECT_EQ(OneLog(in_value), in_value);
  const std::string escaped_key = "{\"\\u0040timestamp\":\"a\"}";  // only literal keys are recognised
  EXPECT_EQ(OneLog(escaped_key), escaped_key);
  BulkOptions off;
  off.timestamp_source = "";
  EXPECT_EQ(OneLog("{\"@timestamp\":\"a\"}", off), "{\"@timestamp\":\"a\"}");
}

TEST(EsBulkRewrite, OnlyTheFirstOfTwoTimestampKeysIsRenamed) {
  EXPECT_EQ(OneLog("{\"@timestamp\":\"a\",\"@timestamp\":\"b\"}"),
            "{\"timestamp\":\"a\",\"@timestamp\":\"b\"}");
}

TEST(EsBulkRewrite, InvalidOrNonObjectDocumentsAreNotRewritten) {
  for (std::string_view doc : {"[\"@timestamp\"]", "{\"@timestamp\":\"a\",", "{\"@timestamp\" \"a\"}",
                               "\"@timestamp\"", "{\"log\":{\"level\":"}) {
    EXPECT_EQ(OneLog(doc), doc);
  }
}

TEST(EsBulkRewrite, DeeplyNestedDocumentsAreHandedOverUnchanged) {
  std::string doc = "{\"@timestamp\":\"t\",\"deep\":";
  for (int i = 0; i < 100000; ++i) doc += "[";
  for (int i = 0; i < 100000; ++i) doc += "]";
  doc += "}";
  const std::string log = OneLog(doc);
  // Either renamed (the walk skips nested values without recursing) or left to the admission's own
  // depth limit; never a crash, never a different document.
  EXPECT_TRUE(log == doc || log == "{\"timestamp\"" + doc.substr(13)) << log.substr(0, 40);
  std::string unclosed = "{\"@timestamp\":\"t\",\"deep\":";
  for (int i = 0; i < 100000; ++i) unclosed += "{\"a\":";
  EXPECT_EQ(OneLog(unclosed).size(), unclosed.size());
}

TEST(EsBulkRewrite, LevelIsTakenFromLogLevel) {
  EXPECT_EQ(OneLog("{\"log\":{\"level\":\"INFO\",\"logger\":\"x\"},\"message\":\"m\"}"),
            "{\"level\":\"info\",\"log\":{\"level\":\"INFO\",\"logger\":\"x\"},\"message\":\"m\"}");
  EXPECT_EQ(OneLog("{\"log.level\":\"Warning\"}"), "{\"level\":\"warn\",\"log.level\":\"Warning\"}");
  // Both at once, with the rename.
  EXPECT_EQ(OneLog("{\"@timestamp\":\"t\",\"log\":{\"level\":\"err\"}}"),
            "{\"level\":\"error\",\"timestamp\":\"t\",\"log\":{\"level\":\"err\"}}");
}

TEST(EsBulkRewrite, LevelIsKeptOrIgnoredWhenItCannotBeTaken) {
  for (std::string_view doc : {
           "{\"level\":\"debug\",\"log\":{\"level\":\"INFO\"}}",  // the document has its own
           "{\"log\":{\"level\":\"INFO\"},\"level\":\"debug\"}",
           "{\"log\":{\"level\":3}}",                                      // not a string
           "{\"log\":\"a line\"}",                                         // not an object
           "{\"log\":{\"offset\":1,\"file\":{\"path\":\"/var/log/x\"}}}",  // Filebeat's log object
           "{\"x\":{\"log.level\":\"info\"}}",                             // not top level
       }) {
    EXPECT_EQ(OneLog(doc), doc);
  }
  BulkOptions off;
  off.level_field = "";
  EXPECT_EQ(OneLog("{\"log.level\":\"info\"}", off), "{\"log.level\":\"info\"}");
  BulkOptions severity;
  severity.level_source = "severity";
  EXPECT_EQ(OneLog("{\"severity\":\"CRITICAL\"}", severity),
            "{\"level\":\"fatal\",\"severity\":\"CRITICAL\"}");
}

TEST(EsBulkRewrite, LevelSpellingsAreMappedToTheDefaultSchema) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"TRACE", "trace"},      {"Debug", "debug"},        {"dbg", "debug"},      {"INFO", "info"},
      {"notice", "info"},      {"informational", "info"}, {"WARN", "warn"},      {"warning", "warn"},
      {"ERROR", "error"},      {"err", "error"},          {"CRITICAL", "fatal"}, {"emerg", "fatal"},
      {"panic", "fatal"},      {"alert", "fatal"},        {"fatal", "fatal"},    {"verbose", "verbose"},
      {"\xc3\x89", "\xc3\x89"}};
  for (const auto& [in, want] : cases) {
    EXPECT_EQ(OneLog("{\"log.level\":\"" + std::string(in) + "\"}"),
              "{\"level\":\"" + std::string(want) + "\",\"log.level\":\"" + std::string(in) + "\"}");
  }
}

TEST(EsBulkRewrite, RewrittenLevelValuesAreEscaped) {
  EXPECT_EQ(OneLog("{\"log.level\":\"a\\\"b\\n\"}"), "{\"level\":\"a\\\"b\\n\",\"log.level\":\"a\\\"b\\n\"}");
}

TEST(EsBulkRewrite, AdoptedBodyKeepsDocumentsInPlace) {
  const std::string body =
      "{\"index\":{}}\n{\"a\":1}\n{\"index\":{}}\n{\"@timestamp\":\"t\"}\n{\"index\":{}}\n{\"c\":3}\r\n"
      "{\"index\":{}}\n{\"log.level\":\"WARNING\"}\n";
  Parsed p = ParseAdopted(body);
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.logs.size(), 4u);
  EXPECT_EQ(p.logs.log(0), "{\"a\":1}");
  EXPECT_EQ(p.logs.log(1), "{\"timestamp\":\"t\"}");
  EXPECT_EQ(p.logs.log(2), "{\"c\":3}");
  EXPECT_EQ(p.logs.log(3), "{\"level\":\"warn\",\"log.level\":\"WARNING\"}");
  const char* base = p.logs.buffer().data();
  auto at = [&](size_t i) { return static_cast<size_t>(p.logs.log(i).data() - base); };
  EXPECT_EQ(at(0), body.find("{\"a\""));  // spans of the body itself
  EXPECT_EQ(at(2), body.find("{\"c\""));
  EXPECT_EQ(at(1), body.find("{\"@timestamp"));  // renamed over the original: it is shorter
  EXPECT_GE(at(3), body.size());                 // longer than the original: after the body
  // Every log is followed by simdjson's padding (readable bytes), so each parses in place.
  simdjson::dom::parser parser;
  for (size_t i = 0; i < p.logs.size(); ++i) {
    std::string_view log = p.logs.log(i);
    EXPECT_GE(p.logs.buffer().size() - at(i) - log.size(), simdjson::SIMDJSON_PADDING);
    EXPECT_EQ(parser.parse(log.data(), log.size(), false).error(), simdjson::SUCCESS);
  }
  EXPECT_EQ(p.logs.text_bytes(), 7u + 17u + 7u + 38u);
}

TEST(EsBulkRewrite, StringsWithEscapedQuotesAreSkippedWhole) {
  // A key inside a string is not a key; a string ending in an escaped backslash ends there.
  const std::string inside = "{\"a\":\"x\\\",\\\"@timestamp\\\":1\",\"b\":2}";
  EXPECT_EQ(OneLog(inside), inside);
  EXPECT_EQ(OneLog("{\"a\":\"x\\\\\",\"@timestamp\":\"t\"}"), "{\"a\":\"x\\\\\",\"timestamp\":\"t\"}");
  EXPECT_EQ(OneLog("{\"a\":{\"s\":\"}]\\\"{\"},\"@timestamp\":\"t\"}"),
            "{\"a\":{\"s\":\"}]\\\"{\"},\"timestamp\":\"t\"}");
}

// ---- Item results and the response ------------------------------------------------------------------

TEST(EsBulkResponse, ItemResultsFollowTheAdmission) {
  BulkItem item;
  SetItemResult(&item, AdmitResult{}, "");
  EXPECT_EQ(item.status, 201);
  AdmitResult no_room;
  no_room.kind = AdmitResult::Kind::kNoRoom;
  SetItemResult(&item, no_room, "overloaded");
  EXPECT_EQ(item.status, 429);
  EXPECT_EQ(item.error_type, "es_rejected_execution_exception");
  EXPECT_EQ(item.error_reason, "overloaded");
  AdmitResult storage;
  storage.kind = AdmitResult::Kind::kRejected;
  storage.reason = RejectReason::kStorageUnavailable;
  SetItemResult(&item, storage, "storage unavailable: disk full");
  EXPECT_EQ(item.status, 503);
  EXPECT_EQ(item.error_type, "unavailable_shards_exception");
  AdmitResult schema;
  schema.kind = AdmitResult::Kind::kRejected;
  schema.reason = RejectReason::kSchema;
  SetItemResult(&item, schema, "schema: level: not one of the enum values");
  EXPECT_EQ(item.status, 400);
  EXPECT_EQ(item.error_type, "document_parsing_exception");
  EXPECT_EQ(item.error_reason, "schema: level: not one of the enum values");
  AdmitResult late;
  late.kind = AdmitResult::Kind::kRejected;
  late.reason = RejectReason::kTimeOutOfRange;
  SetItemResult(&item, late, "timestamp outside the accepted window");
  EXPECT_EQ(item.status, 400);
  EXPECT_EQ(item.error_type, "illegal_argument_exception");
  SetItemResult(&item, AdmitResult{}, "");
  EXPECT_EQ(item.status, 201);
  EXPECT_TRUE(item.error_type.empty());
  EXPECT_TRUE(item.error_reason.empty());
}

TEST(EsBulkResponse, ShapeIsWhatClientsRead) {
  Parsed p = Parse(
      "{\"index\":{\"_index\":\"logs\",\"_id\":\"a1\"}}\n{\"m\":1}\n"
      "{\"create\":{}}\n[1]\n"
      "{\"delete\":{\"_id\":\"d\"}}\n");
  ASSERT_TRUE(p.status.ok());
  Admit(&p);
  const std::string text = BulkResponse(p.items, 17);
  Response r(text);
  EXPECT_EQ(Keys(r.root().get_object().value()), (std::vector<std::string>{"took", "errors", "items"}));
  EXPECT_EQ(r.root()["took"].get_int64().value(), 17);
  EXPECT_TRUE(r.root()["errors"].get_bool().value());
  ASSERT_EQ(r.items().size(), 3u);

  auto [action0, created] = r.item(0);
  EXPECT_EQ(action0, "index");
  EXPECT_EQ(Keys(created), (std::vector<std::string>{"_index", "_id", "_version", "result", "_shards",
                                                     "_seq_no", "_primary_term", "status"}));
  EXPECT_EQ(created["_index"].get_string().value(), "logs");
  EXPECT_EQ(created["_id"].get_string().value(), "a1");
  EXPECT_EQ(created["status"].get_int64().value(), 201);
  EXPECT_EQ(created["result"].get_string().value(), "created");
  EXPECT_EQ(created["_version"].get_int64().value(), 1);
  EXPECT_EQ(created["_primary_term"].get_int64().value(), 1);
  EXPECT_EQ(created["_shards"]["successful"].get_int64().value(), 1);
  EXPECT_EQ(created["_shards"]["failed"].get_int64().value(), 0);

  auto [action1, refused] = r.item(1);
  EXPECT_EQ(action1, "create");
  EXPECT_EQ(Keys(refused), (std::vector<std::string>{"_index", "_id", "status", "error"}));
  EXPECT_EQ(refused["status"].get_int64().value(), 400);
  EXPECT_EQ(refused["_index"].get_string().value(), "logdaemon");
  EXPECT_EQ(refused["_id"].get_string().value().size(), 20u);  // generated
  EXPECT_EQ(Keys(refused["error"].get_object().value()), (std::vector<std::string>{"type", "reason"}));
  EXPECT_EQ(refused["error"]["type"].get_string().value(), "document_parsing_exception");
  EXPECT_EQ(refused["error"]["reason"].get_string().value(), "not an object: a log is one JSON object");

  auto [action2, deleted] = r.item(2);
  EXPECT_EQ(action2, "delete");
  EXPECT_EQ(deleted["_id"].get_string().value(), "d");
  EXPECT_EQ(deleted["status"].get_int64().value(), 400);
  EXPECT_EQ(deleted["error"]["type"].get_string().value(), "illegal_argument_exception");

  // Vector and Fluent Bit read these texts without parsing.
  EXPECT_NE(text.find("\"errors\":true"), std::string::npos);
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(EsBulkResponse, NoErrorsReadsAsFluentBitLooksForIt) {
  Parsed p = Parse("{\"index\":{}}\n{\"m\":1}\n{\"create\":{}}\n{\"m\":2}\n");
  Admit(&p);
  const std::string text = BulkResponse(p.items, 0);
  EXPECT_NE(text.find("\"errors\":false,\"items\":["), std::string::npos) << text;
  Response r(text);
  EXPECT_FALSE(r.root()["errors"].get_bool().value());
  EXPECT_EQ(r.item(0).second["_seq_no"].get_int64().value(), 0);
  EXPECT_EQ(r.item(1).second["_seq_no"].get_int64().value(), 1);
}

TEST(EsBulkResponse, ItemsWithoutResultAreServerErrors) {
  Parsed p = Parse("{\"index\":{}}\n{\"m\":1}\n");
  Response r(BulkResponse(p.items, 0));  // nobody called SetItemResult
  EXPECT_TRUE(r.root()["errors"].get_bool().value());
  EXPECT_EQ(r.item(0).second["status"].get_int64().value(), 500);
  EXPECT_EQ(r.item(0).second["error"]["type"].get_string().value(), "exception");
}

TEST(EsBulkResponse, ReasonsAndNamesAreEscaped) {
  BulkItem item;
  item.action = "index";
  item.index = std::string("idx\"\\\n\x01\xff", 8);  // from a URL: any bytes
  item.id = "id\t\"";
  item.status = 400;
  item.error_type = "document_parsing_exception";
  static constexpr char kReason[] = "schema: \"quoted\"\nline\r\x7f\x1f\x00 end";
  item.error_reason = std::string(kReason, sizeof(kReason) - 1);  // the NUL included
  Response r(BulkResponse({item}, 3));
  auto [action, object] = r.item(0);
  EXPECT_EQ(action, "index");
  EXPECT_EQ(object["_index"].get_string().value(), "idx\"\\\n\x01\xef\xbf\xbd");  // invalid UTF-8 -> U+FFFD
  EXPECT_EQ(object["_id"].get_string().value(), "id\t\"");
  EXPECT_EQ(object["error"]["reason"].get_string().value(), item.error_reason);
}

TEST(EsBulkResponse, GeneratedIdsAreUniqueAndShapedLikeElasticsearchs) {
  BulkItem created;
  created.action = "create";
  created.index = "i";
  created.status = 201;
  const std::vector<BulkItem> items(1000, created);
  std::set<std::string> ids;
  for (int round = 0; round < 3; ++round) {
    Response r(BulkResponse(items, 0));
    for (size_t i = 0; i < items.size(); ++i) {
      std::string id(r.item(i).second["_id"].get_string().value());
      ASSERT_EQ(id.size(), 20u);
      for (char c : id)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), 3000u);
}

TEST(EsBulkResponse, HundredThousandItems) {
  std::string body;
  for (int i = 0; i < 100000; ++i) {
    if (i % 10 == 3) {
      body += "{\"delete\":{\"_id\":\"" + std::to_string(i) + "\"}}\n";
    } else {
      body += "{\"create\":{\"_index\":\"big\",\"_id\":\"" + std::to_string(i) + "\"}}\n";
      body += i % 10 == 7 ? "[]\n"
                          : "{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"n\":" + std::to_string(i) + "}\n";
    }
  }
  Parsed p = ParseAdopted(body);
  ASSERT_TRUE(p.status.ok()) << Message(p);
  ASSERT_EQ(p.items.size(), 100000u);
  EXPECT_EQ(p.logs.size(), 90000u);
  Admit(&p);
  Response r(BulkResponse(p.items, 1234));
  ASSERT_EQ(r.items().size(), 100000u);
  size_t i = 0;
  size_t created = 0;
  for (simdjson::dom::element element : r.items()) {  // in order; at(i) would walk the array each time
    auto member = *element.get_object().value().begin();
    simdjson::dom::object object = member.value.get_object().value();
    EXPECT_EQ(object["_id"].get_string().value(), std::to_string(i));
    const int64_t status = object["status"].get_int64().value();
    if (i % 10 == 3) {
      EXPECT_EQ(member.key, "delete");
      EXPECT_EQ(status, 400);
    } else if (i % 10 == 7) {
      EXPECT_EQ(status, 400);
    } else {
      EXPECT_EQ(member.key, "create");
      EXPECT_EQ(status, 201);
      ++created;
    }
    ++i;
  }
  EXPECT_EQ(created, 80000u);
  EXPECT_EQ(p.logs.log(0), "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"n\":0}");
}

// ---- The probes -------------------------------------------------------------------------------------------

TEST(EsBulkProbe, VersionProbeAnswersAsElasticsearch8) {
  const std::string text = VersionProbeResponse("node \"1\"");
  Response r(text);
  simdjson::dom::element root = r.root();
  EXPECT_EQ(Keys(root.get_object().value()),
            (std::vector<std::string>{"name", "cluster_name", "cluster_uuid", "version", "tagline"}));
  EXPECT_EQ(root["name"].get_string().value(), "node \"1\"");
  EXPECT_EQ(root["cluster_name"].get_string().value(), "logdaemon");
  EXPECT_FALSE(root["cluster_uuid"].get_string().value().empty());
  EXPECT_EQ(root["tagline"].get_string().value(), "You Know, for Search");
  simdjson::dom::element version = root["version"];
  EXPECT_EQ(version["number"].get_string().value(), "8.11.0");
  EXPECT_EQ(version["build_flavor"].get_string().value(), "default");
  EXPECT_FALSE(version["build_snapshot"].get_bool().value());
  EXPECT_EQ(version["lucene_version"].get_string().value(), "9.8.0");
  EXPECT_EQ(version["minimum_wire_compatibility_version"].get_string().value(), "7.17.0");
  EXPECT_EQ(version["minimum_index_compatibility_version"].get_string().value(), "7.0.0");
  for (const char* key : {"build_type", "build_hash", "build_date"}) {
    EXPECT_TRUE(version[key].is_string()) << key;
  }
  EXPECT_EQ(kElasticProductHeader, "X-Elastic-Product");
  EXPECT_EQ(kElasticProductValue, "Elasticsearch");
}

TEST(EsBulkProbe, LicenseHealthAcknowledgedAndErrorBodies) {
  Response license(LicenseResponse());
  EXPECT_EQ(license.root()["license"]["status"].get_string().value(), "active");
  EXPECT_EQ(license.root()["license"]["type"].get_string().value(), "basic");
  EXPECT_EQ(license.root()["license"]["mode"].get_string().value(), "basic");
  EXPECT_FALSE(license.root()["license"]["uid"].get_string().value().empty());

  Response health(ClusterHealthResponse());
  EXPECT_EQ(health.root()["status"].get_string().value(), "green");
  EXPECT_EQ(health.root()["number_of_nodes"].get_int64().value(), 1);

  Response ack{std::string(AcknowledgedResponse())};
  EXPECT_TRUE(ack.root()["acknowledged"].get_bool().value());

  Response error(EsErrorBody(400, "illegal_argument_exception", "Malformed \"line\"\n[1]"));
  simdjson::dom::element e = error.root()["error"];
  EXPECT_EQ(error.root()["status"].get_int64().value(), 400);
  EXPECT_EQ(e["type"].get_string().value(), "illegal_argument_exception");
  EXPECT_EQ(e["reason"].get_string().value(), "Malformed \"line\"\n[1]");
  EXPECT_EQ(e["root_cause"].at(0)["type"].get_string().value(), "illegal_argument_exception");
  EXPECT_EQ(e["root_cause"].at(0)["reason"].get_string().value(), "Malformed \"line\"\n[1]");
}

}  // namespace
}  // namespace es_bulk_test
}  // namespace logdaemon::http
