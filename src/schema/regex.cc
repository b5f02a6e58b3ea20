#include "schema/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

#include "schema/json_value.h"

namespace logdaemon::schema {

namespace {

// Backtracking budget per match: far above what a sane pattern needs on a log-sized value, far below
// what makes a catastrophic pattern (`(a+)+$` on "aaaa…b") a denial of service.
constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kDepthLimit = 10'000;
constexpr size_t kJitStackMax = 512 * 1024;

// ECMA-262's \s: WhiteSpace and LineTerminator code points (ECMA-262 §12.2, §12.3), in the \uHHHH form
// that PCRE2_ALT_BSUX reads (it turns \x{…} off). Without PCRE2_UCP,
// PCRE2's \s is ASCII only; with it, \d and \w would become Unicode too, which ECMA-262 does not do.
constexpr std::string_view kEcmaSpaceSet =
    "\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF";

// ECMA-262 spells Unicode general categories by long name too (\p{Letter}); PCRE2 10.42 knows only the
// short ones.
std::string_view ShortCategoryName(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"Letter", "L"},
      {"Cased_Letter", "L&"},
      {"Uppercase_Letter", "Lu"},
      {"Lowercase_Letter", "Ll"},
      {"Titlecase_Letter", "Lt"},
      {"Modifier_Letter", "Lm"},
      {"Other_Letter", "Lo"},
      {"Mark", "M"},
      {"Nonspacing_Mark", "Mn"},
      {"Spacing_Mark", "Mc"},
      {"Enclosing_Mark", "Me"},
      {"Number", "N"},
      {"Decimal_Number", "Nd"},
      {"digit", "Nd"},
      {"Letter_Number", "Nl"},
      {"Other_Number", "No"},
      {"Punctuation", "P"},
      {"punct", "P"},
      {"Connector_Punctuation", "Pc"},
      {"Dash_Punctuation", "Pd"},
      {"Open_Punctuation", "Ps"},
      {"Close_Punctuation", "Pe"},
      {"Initial_Punctuation", "Pi"},
      {"Final_Punctuation", "Pf"},
      {"Other_Punctuation", "Po"},
      {"Symbol", "S"},
      {"Math_Symbol", "Sm"},
      {"Currency_Symbol", "Sc"},
      {"Modifier_Symbol", "Sk"},
      {"Other_Symbol", "So"},
      {"Separator", "Z"},
      {"Space_Separator", "Zs"},
      {"Line_Separator", "Zl"},
      {"Paragraph_Separator", "Zp"},
      {"Other", "C"},
      {"Control", "Cc"},
      {"cntrl", "Cc"},
      {"Format", "Cf"},
      {"Surrogate", "Cs"},
      {"Private_Use", "Co"},
      {"Unassigned", "Cn"},
  };
  for (auto [long_name, short_name] : kNames) {
    if (name == long_name) return short_name;
  }
  return name;
}

// Rewrites the parts of an ECMA-262 pattern PCRE2 reads differently: \s and \S outside a class and \s
// inside one become explicit sets, long Unicode category names become short ones, and "[]" / "[^]" get
// ECMA's meaning. Refuses PCRE-only syntax that ECMA-262 does not have (inline flags and comments,
// Python-style named groups, escapes such as \A, \Z, \a), so that a schema means the same everywhere.
// Escapes are copied whole so that "\\s" (a literal backslash, then s) is left alone.
Result<std::string> TranslateEcmaPattern(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 16);
  bool in_class = false;
  auto not_ecma = [&](size_t at, std::string_view what) {
    return Status::InvalidArgument("invalid regex \"" + ShortText(pattern, 200) + "\": " + std::string(what) +
                                   " is not ECMA-262 syntax, at offset " + std::to_string(at));
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char next = pattern[i + 1];
      if (next == 's') {
        if (in_class) {
          out.append(kEcmaSpaceSet);
        } else {
          out += '[';
          out.append(kEcmaSpaceSet);
          out += ']';
        }
      } else if (next == 'S' && !in_class) {
        out += "[^";
        out.append(kEcmaSpaceSet);
        out += ']';
      } else if ((next == 'p' || next == 'P') && i + 2 < pattern.size() && pattern[i + 2] == '{') {
        size_t close = pattern.find('}', i + 3);
        if (close == std::string_view::npos) return not_ecma(i, "an unterminated \\p{…}");
        std::string_view name = pattern.substr(i + 3, close - i - 3);
        size_t equals = name.find('=');
        if (equals != std::string_view::npos &&
            (name.substr(0, equals) == "General_Category" || name.substr(0, equals) == "gc")) {
          name = name.substr(equals + 1);
        }
        out += '\\';
        out += next;
        out += '{';
        out.append(ShortCategoryName(name));
        out += '}';
        i = close;
        continue;
      } else if (next == 'v') {
        out += "\\x0B";  // ECMA's \v is U+000B alone; PCRE2's is every vertical space
      } else if (std::string_view("aeAZzGQEKhHRXCNoglLU").find(next) != std::string_view::npos) {
        return not_ecma(i, std::string("the escape \\") + next);
      } else {
        out += c;
        out += next;
      }
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '(' && i + 1 < pattern.size() && pattern[i + 1] == '?') {
      // ECMA-262 groups: (?:…) (?=…) (?!…) (?<=…) (?<!…) (?<name>…). Anything else is another dialect.
      char kind = i + 2 < pattern.size() ? pattern[i + 2] : '\0';
      bool ecma = kind == ':' || kind == '=' || kind == '!' ||
                  (kind == '<' && i + 3 < pattern.size() && pattern[i + 3] != 'P');
      if (!ecma) return not_ecma(i, "the group \"(?" + std::string(1, kind) + "\"");
    } else if (c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in PCRE2 but closes an empty class in ECMA-262;
      // spell ECMA's meaning: "[]" matches nothing, "[^]" matches anything.
      size_t j = i + 1;
      bool negated = j < pattern.size() && pattern[j] == '^';
      if (negated) ++j;
      if (j < pattern.size() && pattern[j] == ']') {
        out.pop_back();
        out += negated ? "[\\s\\S]" : "(?!)";
        in_class = false;
        i = j;
        continue;
      }
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<EcmaRegex>> EcmaRegex::Compile(std::string_view pattern) {
  auto translated_or = TranslateEcmaPattern(pattern);
  if (!translated_or.ok()) return translated_or.status();
  const std::string& translated = *translated_or;
  pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
  if (context == nullptr) return Status::IOError("out of memory compiling a regex");
  pcre2_set_compile_extra_options(context, PCRE2_EXTRA_ALT_BSUX);
  // Nesting bound for hostile patterns ("((((…" ten thousand deep).
  pcre2_set_parens_nest_limit(context, 250);
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX, &error_code, &error_offset, context);
  pcre2_compile_context_free(context);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof(message));
    return Status::InvalidArgument("invalid regex \"" + ShortText(pattern, 200) +
                                   "\": " + reinterpret_cast<const char*>(message) + " at offset " +
                                   std::to_string(error_offset));
  }
  // JIT is an optimisation: when it is unavailable (no executable memory), the interpreter is used.
  bool jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return std::unique_ptr<EcmaRegex>(new EcmaRegex(std::string(pattern), code, jit));
}

EcmaRegex::EcmaRegex(std::string pattern, pcre2_real_code_8* code, bool jit)
    : pattern_(std::move(pattern)), code_(code), jit_(jit) {
  // "^" then ASCII characters with no special meaning; an alternation anywhere would make the anchor
  // apply to one branch only.
  std::string_view p = pattern_;
  if (p.size() < 2 || p[0] != '^' || p.find('|') != std::string_view::npos) return;
  size_t end = 1;
  while (end < p.size() && static_cast<unsigned char>(p[end]) < 0x80 &&
         std::string_view("\\^$.|?*+()[]{}").find(p[end]) == std::string_view::npos) {
    ++end;
  }
  bool whole = end == p.size();
  // A quantifier applies to the character before it, which is then not certain to be there.
  if (!whole && std::string_view("?*+{").find(p[end]) != std::string_view::npos) --end;
  if (end <= 1) return;
  anchored_literal_ = true;
  literal_is_whole_ = whole;
  literal_prefix_ = std::string(p.substr(1, end - 1));
}

bool EcmaRegex::IsValid(std::string_view pattern) {
  return Compile(pattern).ok();
}

EcmaRegex::~EcmaRegex() {
  pcre2_code_free(code_);
}

RegexMatcher::RegexMatcher()
    : match_data_(pcre2_match_data_create(1, nullptr)),
      match_context_(pcre2_match_context_create(nullptr)),
      jit_stack_(pcre2_jit_stack_create(32 * 1024, kJitStackMax, nullptr)) {
  pcre2_set_match_limit(match_context_, kMatchLimit);
  pcre2_set_depth_limit(match_context_, kDepthLimit);
  pcre2_jit_stack_assign(match_context_, nullptr, jit_stack_);
}

RegexMatcher::~RegexMatcher() {
  pcre2_jit_stack_free(jit_stack_);
  pcre2_match_context_free(match_context_);
  pcre2_match_data_free(match_data_);
}

MatchResult RegexMatcher::Search(const EcmaRegex& regex, std::string_view subject) {
  if (regex.anchored_literal_) {
    if (!subject.starts_with(regex.literal_prefix_)) return MatchResult::kNoMatch;
    if (regex.literal_is_whole_) return MatchResult::kMatch;
  }
  // Instance strings come from simdjson, which has validated their UTF-8 already. pcre2_jit_match skips
  // pcre2_match's option checks, a measurable share of a short match.
  auto subject_bytes = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = regex.jit_ ? pcre2_jit_match(regex.code_, subject_bytes, subject.size(), 0, PCRE2_NO_UTF_CHECK,
                                        match_data_, match_context_)
                      : pcre2_match(regex.code_, subject_bytes, subject.size(), 0, PCRE2_NO_UTF_CHECK,
                                    match_data_, match_context_);
  if (rc >= 0) return MatchResult::kMatch;  // 0: matched, ovector too small for the groups
  if (rc == PCRE2_ERROR_NOMATCH) return MatchResult::kNoMatch;
  return MatchResult::kLimitExceeded;
}

}  // namespace logdaemon::schema
