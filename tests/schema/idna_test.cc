#include "schema/idna.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace logdaemon::schema {
namespace idna_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

// RFC 5890 §2.3.2.5: an A-label starts with the ACE prefix "xn--", in any case.
TEST(IdnaALabel, StartsWithTheAcePrefix) {
  EXPECT_TRUE(IsValidALabel("xn--bcher-kva"));
  EXPECT_TRUE(IsValidALabel("Xn--bcher-kva"));
  EXPECT_FALSE(IsValidALabel("bcher-kva"));
  EXPECT_FALSE(IsValidALabel("xn-"));
  EXPECT_FALSE(IsValidALabel("x"));
  EXPECT_FALSE(IsValidALabel("yn--bcher-kva"));
}

// RFC 5890 §2.3.2.1: an "xn--" label must be the Punycode of a U-label.
TEST(IdnaALabel, MustBeValidPunycode) {
  EXPECT_TRUE(IsValidALabel("xn--bcher-kva"));  // bücher
  EXPECT_TRUE(IsValidALabel("XN--BCHER-KVA"));
  EXPECT_TRUE(IsValidALabel("xn--9n2bp8q"));
  EXPECT_TRUE(IsValidALabel("xn--9t4b11yi5a"));
  EXPECT_FALSE(IsValidALabel("xn--X"));                        // the number is cut off
  EXPECT_FALSE(IsValidALabel("xn--bcher-kv"));                 // cut off
  EXPECT_FALSE(IsValidALabel("xn--abc-"));                     // ASCII only
  EXPECT_FALSE(IsValidALabel("xn--" + std::string(59, '9')));  // overflows any code point
  EXPECT_FALSE(IsValidALabel("xn--" + std::string(59, 'z')));  // likewise
  EXPECT_FALSE(IsValidALabel("xn--" + std::string(40, 'a') + "9a"));
}

// RFC 5891 §4.2.3.1 and §4.2.3.2 on the decoded label.
TEST(IdnaULabel, HyphenAndLeadingMarkRules) {
  EXPECT_FALSE(IsValidALabel("XN--aa---o47jg78q"));  // "aa--" then Han
  EXPECT_FALSE(IsValidALabel("xn--hello-txk"));      // U+0903, a spacing mark, first
  EXPECT_FALSE(IsValidALabel("xn--hello-zed"));      // U+0300, a nonspacing mark, first
  EXPECT_FALSE(IsValidALabel("xn--hello-6bf"));      // U+0488, an enclosing mark, first
}

// RFC 5892 §2.6 exceptions.
TEST(IdnaULabel, Exceptions) {
  EXPECT_TRUE(IsValidALabel("xn--zca29lwxobi7a"));  // ß ς ་ 〇: PVALID
  EXPECT_FALSE(IsValidALabel("xn--chb89f"));        // U+0640, U+07FA: DISALLOWED
  EXPECT_FALSE(IsValidALabel("xn--07jceefgh4c"));   // U+3031-3035, U+302E, U+302F, U+303B
  EXPECT_FALSE(IsValidALabel("xn--07jt112bpxg"));   // U+302E inside a label
}

// RFC 5892 Appendix A.
TEST(IdnaULabel, ContextRules) {
  EXPECT_TRUE(IsValidALabel("xn--ll-0ea"));        // l·l
  EXPECT_FALSE(IsValidALabel("xn--al-0ea"));       // a·l
  EXPECT_TRUE(IsValidALabel("xn--wva3je"));        // α͵β
  EXPECT_FALSE(IsValidALabel("xn--wva3j"));        // α͵
  EXPECT_TRUE(IsValidALabel("xn--4dbc5h"));        // א׳ב
  EXPECT_FALSE(IsValidALabel("xn--5db1e"));        // ׳ב
  EXPECT_TRUE(IsValidALabel("xn--k8j5u"));         // ・ with Hiragana
  EXPECT_FALSE(IsValidALabel("xn--vek"));          // ・ alone
  EXPECT_TRUE(IsValidALabel("xn--ngba1o"));        // ب٠ب
  EXPECT_FALSE(IsValidALabel("xn--ngb6iyr"));      // ٠ with ۰
  EXPECT_TRUE(IsValidALabel("xn--11b2ezcw70k"));   // ZWJ after a virama
  EXPECT_FALSE(IsValidALabel("xn--11b2er09f"));    // ZWJ after a letter
  EXPECT_TRUE(IsValidALabel("xn--11b2ezcs70k"));   // ZWNJ after a virama
  EXPECT_TRUE(IsValidALabel("xn--ngba5hb2804a"));  // ZWNJ between joining Arabic letters
  EXPECT_TRUE(IsValidALabel("xn--ngba8ha8704a"));  // likewise, across transparent marks
  EXPECT_FALSE(IsValidALabel("xn--mgbc799q"));     // ZWNJ after alef, which joins right only
}

// RFC 5890 §2.3.2.1: a U-label's A-label, when it is one.
TEST(IdnaULabel, ALabelOf) {
  EXPECT_EQ(ALabelOf("b\u00fccher"), "xn--bcher-kva");
  EXPECT_EQ(ALabelOf("\uc2e4\ub840"), "xn--9n2bp8q");
  EXPECT_EQ(ALabelOf("l\u00b7l"), "xn--ll-0ea");
  EXPECT_EQ(ALabelOf("a\u00b7l"), std::nullopt);      // CONTEXTO
  EXPECT_EQ(ALabelOf("B\u00fccher"), std::nullopt);   // upper case is DISALLOWED in a U-label
  EXPECT_EQ(ALabelOf("bu\u0308cher"), std::nullopt);  // not NFC (u + combining diaeresis)
  EXPECT_EQ(ALabelOf(std::string(64, 'a') + "\u00fc"), std::nullopt);  // too long
}

// Hostile inputs: a NUL would end libidn2's C string early; bytes that are not UTF-8; empty.
TEST(IdnaULabel, HostileInputs) {
  EXPECT_EQ(ALabelOf(""), std::nullopt);
  EXPECT_EQ(ALabelOf("b\u00fccher\0x"sv), std::nullopt);
  EXPECT_EQ(ALabelOf("\xff\xfe"), std::nullopt);
  EXPECT_EQ(ALabelOf("b\xfc"
                     "cher"),
            std::nullopt);
  EXPECT_FALSE(IsValidALabel("xn--bcher-kva\0"sv));
  EXPECT_FALSE(IsValidALabel("xn--"));
  EXPECT_FALSE(IsValidALabel(""));
}

}  // namespace
}  // namespace idna_test
}  // namespace logdaemon::schema
