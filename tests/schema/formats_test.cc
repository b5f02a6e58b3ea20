#include "schema/formats.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace logdaemon::schema {
namespace formats_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

bool Valid(Format format, std::string_view value) {
  return CheckFormat(format, value);
}

std::string Repeat(std::string_view part, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += part;
  return out;
}

TEST(FormatNames, AssertedFormatsRoundTrip) {
  for (Format format :
       {Format::kDateTime, Format::kDate, Format::kTime, Format::kEmail, Format::kHostname,
        Format::kIdnHostname, Format::kIpv4, Format::kIpv6, Format::kUri, Format::kUriReference,
        Format::kJsonPointer, Format::kRelativeJsonPointer, Format::kRegex}) {
    EXPECT_EQ(FormatFromName(FormatName(format)), format) << FormatName(format);
  }
  EXPECT_EQ(FormatFromName("date-time"), Format::kDateTime);
  EXPECT_EQ(FormatFromName("relative-json-pointer"), Format::kRelativeJsonPointer);
  EXPECT_EQ(FormatName(Format::kUriReference), "uri-reference");
}

// Format names are case-sensitive; other names, known to the spec or not, are annotations.
TEST(FormatNames, OtherNamesAreUnknown) {
  EXPECT_EQ(FormatFromName("Date-Time"), Format::kUnknown);
  EXPECT_EQ(FormatFromName("idn-email"), Format::kUnknown);
  EXPECT_EQ(FormatFromName("uri-template"), Format::kUnknown);
  EXPECT_EQ(FormatFromName(""), Format::kUnknown);
  EXPECT_EQ(FormatFromName("date\0"sv), Format::kUnknown);
  EXPECT_EQ(FormatName(Format::kUnknown), "unknown");
}

// A default string_view (data() == nullptr) is the empty string to every format.
TEST(FormatEmptyValue, FollowsEachFormatsGrammar) {
  for (Format format :
       {Format::kDateTime, Format::kDate, Format::kTime, Format::kEmail, Format::kHostname,
        Format::kIdnHostname, Format::kIpv4, Format::kIpv6, Format::kUri, Format::kRelativeJsonPointer}) {
    EXPECT_FALSE(Valid(format, std::string_view())) << FormatName(format);
    EXPECT_FALSE(Valid(format, "")) << FormatName(format);
  }
  for (Format format : {Format::kUnknown, Format::kUriReference, Format::kJsonPointer}) {
    EXPECT_TRUE(Valid(format, std::string_view())) << FormatName(format);
    EXPECT_TRUE(Valid(format, "")) << FormatName(format);
  }
}

TEST(FormatUnknown, EveryStringPasses) {
  EXPECT_TRUE(Valid(Format::kUnknown, ""));
  EXPECT_TRUE(Valid(Format::kUnknown, "anything at all \0\xff"sv));
}

TEST(FormatDates, UseRfc3339) {
  EXPECT_TRUE(Valid(Format::kDateTime, "2026-01-15T19:00:00Z"));
  EXPECT_FALSE(Valid(Format::kDateTime, "2026-01-15"));
  EXPECT_TRUE(Valid(Format::kDate, "2026-01-15"));
  EXPECT_FALSE(Valid(Format::kDate, "2026-01-15T19:00:00Z"));
  EXPECT_TRUE(Valid(Format::kTime, "19:00:00Z"));
  EXPECT_FALSE(Valid(Format::kTime, "19:00:00"));
}

// ---------------------------------------------------------------------------------------------------
// ipv4

TEST(FormatIpv4, FourDecimalOctets) {
  EXPECT_TRUE(Valid(Format::kIpv4, "192.168.0.1"));
  EXPECT_TRUE(Valid(Format::kIpv4, "0.0.0.0"));
  EXPECT_TRUE(Valid(Format::kIpv4, "255.255.255.255"));
  EXPECT_FALSE(Valid(Format::kIpv4, "127.0.0.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "127.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "127.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168..1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1."));
  EXPECT_FALSE(Valid(Format::kIpv4, ".192.168.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, ""));
}

TEST(FormatIpv4, OctetsAreAtMost255) {
  EXPECT_FALSE(Valid(Format::kIpv4, "256.0.0.0"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.256"));
  EXPECT_FALSE(Valid(Format::kIpv4, "1000.0.0.0"));
  EXPECT_FALSE(Valid(Format::kIpv4, "99999999999999999999.0.0.0"));
}

// "010" is octal 8 to inet_aton and decimal 10 to others: refused.
TEST(FormatIpv4, NoLeadingZeros) {
  EXPECT_FALSE(Valid(Format::kIpv4, "087.10.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "1.2.3.00"));
  EXPECT_FALSE(Valid(Format::kIpv4, "0000000000000001.2.3.4"));
  EXPECT_TRUE(Valid(Format::kIpv4, "10.0.0.0"));
}

TEST(FormatIpv4, OnlyAsciiDecimalDigits) {
  EXPECT_FALSE(Valid(Format::kIpv4, "0x7f.0.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "2130706433"));
  EXPECT_FALSE(Valid(Format::kIpv4, "1e2.0.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "+1.2.3.4"));
  EXPECT_FALSE(Valid(Format::kIpv4, "1\u09e87.0.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "\uff11\uff19\uff12.\uff11\uff16\uff18.\uff11.\uff11"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1\0.evil.com"sv));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1\0"sv));
  EXPECT_FALSE(Valid(Format::kIpv4, " 192.168.0.1"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1\n"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1/24"));
  EXPECT_FALSE(Valid(Format::kIpv4, "192.168.0.1:80"));
}

// ---------------------------------------------------------------------------------------------------
// ipv6

TEST(FormatIpv6, EightGroupsOfUpToFourHexDigits) {
  EXPECT_TRUE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(Valid(Format::kIpv6, "2001:DB8:0000:0000:0008:0800:200C:417a"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(Valid(Format::kIpv6, "12345:2:3:4:5:6:7:8"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:g"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1"));
  EXPECT_FALSE(Valid(Format::kIpv6, ""));
}

TEST(FormatIpv6, OneDoubleColonForAtLeastOneZeroGroup) {
  EXPECT_TRUE(Valid(Format::kIpv6, "::"));
  EXPECT_TRUE(Valid(Format::kIpv6, "::1"));
  EXPECT_TRUE(Valid(Format::kIpv6, "d6::"));
  EXPECT_TRUE(Valid(Format::kIpv6, "1:d6::42"));
  EXPECT_TRUE(Valid(Format::kIpv6, "1:2:3:4:5:6::8"));
  EXPECT_TRUE(Valid(Format::kIpv6, "::2:3:4:5:6:7:8"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1::3:4:5:6:7:8:9"));  // nothing left for "::" to stand for
  EXPECT_FALSE(Valid(Format::kIpv6, "1::d6::42"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:::8"));
  EXPECT_FALSE(Valid(Format::kIpv6, ":2:3:4:5:6:7:8"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:"));
  EXPECT_FALSE(Valid(Format::kIpv6, ":"));
  EXPECT_FALSE(Valid(Format::kIpv6, ":::"));
}

TEST(FormatIpv6, DottedQuadTakesTheLastTwoGroups) {
  EXPECT_TRUE(Valid(Format::kIpv6, "::ffff:192.168.0.1"));
  EXPECT_TRUE(Valid(Format::kIpv6, "::192.168.0.1"));
  EXPECT_TRUE(Valid(Format::kIpv6, "1000:1000:1000:1000:1000:1000:255.255.255.255"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:255.255.255.255"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1::2:192.168.256.1"));
  EXPECT_FALSE(Valid(Format::kIpv6, "::ffff:192.168.0.01"));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:1.2.3"));
  EXPECT_FALSE(Valid(Format::kIpv6, "::1.2.3.4:5"));  // the quad ends the address
  EXPECT_FALSE(Valid(Format::kIpv6, "127.0.0.1"));
}

TEST(FormatIpv6, NoZoneBracketsOrPrefix) {
  EXPECT_FALSE(Valid(Format::kIpv6, "fe80::a%eth1"));
  EXPECT_FALSE(Valid(Format::kIpv6, "[::1]"));
  EXPECT_FALSE(Valid(Format::kIpv6, "fe80::/64"));
  EXPECT_FALSE(Valid(Format::kIpv6, " ::1"));
  EXPECT_FALSE(Valid(Format::kIpv6, "::1\0"sv));
  EXPECT_FALSE(Valid(Format::kIpv6, "1:2:3:4:5:6:7:\u09ea"));
  EXPECT_FALSE(Valid(Format::kIpv6, Repeat("1:", 100000) + "1"));
}

// ---------------------------------------------------------------------------------------------------
// hostname

TEST(FormatHostname, LabelsOfLettersDigitsAndHyphens) {
  EXPECT_TRUE(Valid(Format::kHostname, "www.example.com"));
  EXPECT_TRUE(Valid(Format::kHostname, "localhost"));
  EXPECT_TRUE(Valid(Format::kHostname, "1host"));  // RFC 1123 §2.1 allows a leading digit
  EXPECT_TRUE(Valid(Format::kHostname, "a--b.EXAMPLE.com"));
  EXPECT_FALSE(Valid(Format::kHostname, "host_name"));
  EXPECT_FALSE(Valid(Format::kHostname, "-hostname"));
  EXPECT_FALSE(Valid(Format::kHostname, "hostname-"));
  EXPECT_FALSE(Valid(Format::kHostname, "host name"));
}

TEST(FormatHostname, NoEmptyLabelsAndNoTrailingDot) {
  EXPECT_FALSE(Valid(Format::kHostname, ""));
  EXPECT_FALSE(Valid(Format::kHostname, "."));
  EXPECT_FALSE(Valid(Format::kHostname, ".example"));
  EXPECT_FALSE(Valid(Format::kHostname, "example."));
  EXPECT_FALSE(Valid(Format::kHostname, "example..com"));
}

TEST(FormatHostname, LabelsUpTo63AndNamesUpTo253) {
  const std::string label63(63, 'a');
  EXPECT_TRUE(Valid(Format::kHostname, label63 + ".com"));
  EXPECT_FALSE(Valid(Format::kHostname, label63 + "a.com"));
  const std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  ASSERT_EQ(name253.size(), 253u);
  EXPECT_TRUE(Valid(Format::kHostname, name253));
  EXPECT_FALSE(Valid(Format::kHostname, name253 + "b"));
  EXPECT_FALSE(Valid(Format::kHostname, Repeat("a.", 1 << 16) + "a"));
}

TEST(FormatHostname, AsciiOnly) {
  EXPECT_FALSE(Valid(Format::kHostname, "example\uff0ecom"));
  EXPECT_FALSE(Valid(Format::kHostname, "\u212aelvin.example.com"));
  EXPECT_FALSE(Valid(Format::kHostname, "b\u00fccher.example"));
  EXPECT_FALSE(Valid(Format::kHostname, "example.com\n"));
  EXPECT_FALSE(Valid(Format::kHostname, "example.com\0"sv));
  EXPECT_FALSE(Valid(Format::kHostname, "exa\0mple.com"sv));
}

// RFC 5890 §2.3.2.1: an "xn--" label (any case) must be an A-label; the IDNA rules are idna_test.cc's.
TEST(FormatHostname, XnLabelsMustBeALabels) {
  EXPECT_TRUE(Valid(Format::kHostname, "xn--bcher-kva.example"));  // bücher
  EXPECT_TRUE(Valid(Format::kHostname, "XN--BCHER-KVA.example"));
  EXPECT_TRUE(Valid(Format::kHostname, "xn--9n2bp8q.xn--9t4b11yi5a"));
  EXPECT_TRUE(Valid(Format::kHostname, "xn-a.xn.x--n"));  // no "xn--" prefix: plain LDH labels
  EXPECT_FALSE(Valid(Format::kHostname, "xn--X"));        // the number is cut off
  EXPECT_FALSE(Valid(Format::kHostname, "xn--bcher-"));   // ends with a hyphen
  EXPECT_FALSE(Valid(Format::kHostname, "xn--abc-.example"));
  EXPECT_FALSE(Valid(Format::kHostname, "xN--al-0ea.example"));   // a·l: fails RFC 5892 A.3
  EXPECT_FALSE(Valid(Format::kHostname, "xn--07jt112bpxg.com"));  // U+302E: DISALLOWED
  EXPECT_FALSE(Valid(Format::kHostname, "example.xn--chb89f"));   // U+0640, U+07FA: DISALLOWED
}

// ---------------------------------------------------------------------------------------------------
// idn-hostname (RFC 5890 through libidn2; the IDNA rules themselves are idna_test.cc's)

TEST(FormatIdnHostname, ULabelsAndAsciiLabels) {
  EXPECT_TRUE(Valid(Format::kIdnHostname, "b\u00fccher.example"));
  EXPECT_TRUE(Valid(Format::kIdnHostname, "\uc2e4\ub840.\ud14c\uc2a4\ud2b8"));  // example.test in Hangul
  EXPECT_TRUE(Valid(Format::kIdnHostname, "www.example.com"));
  EXPECT_TRUE(Valid(Format::kIdnHostname, "xn--bcher-kva.example"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "xn--X.example"));         // not an A-label
  EXPECT_FALSE(Valid(Format::kIdnHostname, "-b\u00fccher.example"));  // hyphen first
  EXPECT_FALSE(Valid(Format::kIdnHostname, "host_name"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "a\u00b7l"));      // MIDDLE DOT not between two l: CONTEXTO
  EXPECT_FALSE(Valid(Format::kIdnHostname, "\u302e\u3031"));  // DISALLOWED
  EXPECT_FALSE(Valid(Format::kIdnHostname, "\u212aelvin"));   // KELVIN SIGN: not NFC-stable, DISALLOWED
}

// RFC 3490 §3.1: U+3002, U+FF0E and U+FF61 separate labels like "."; no label may be empty.
TEST(FormatIdnHostname, LabelSeparators) {
  EXPECT_TRUE(Valid(Format::kIdnHostname, "a\u3002b"));
  EXPECT_TRUE(Valid(Format::kIdnHostname, "a\uff0eb"));
  EXPECT_TRUE(Valid(Format::kIdnHostname, "a\uff61b"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "."));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "\u3002"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, ".example"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "example."));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "example\uff0e"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "a..b"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "a.\u3002b"));
}

// A label's A-label is at most 63 characters, the name's A-label form at most 253.
TEST(FormatIdnHostname, Lengths) {
  const std::string label63 = Repeat("a", 63);
  EXPECT_TRUE(Valid(Format::kIdnHostname, label63 + ".com"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, label63 + "a.com"));
  // 20 x "b\u00fccher" is 120 characters, but its A-label ("xn--" and Punycode) is longer than 63.
  EXPECT_FALSE(Valid(Format::kIdnHostname, Repeat("b\u00fccher", 20)));
  // "xn--bcher-kva" has 13 characters: 18 such labels and 17 dots make 251, 19 and 18 make 265.
  EXPECT_TRUE(Valid(Format::kIdnHostname, Repeat("b\u00fccher.", 17) + "b\u00fccher"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, Repeat("b\u00fccher.", 18) + "b\u00fccher"));
  EXPECT_FALSE(Valid(Format::kIdnHostname, Repeat("a.", 1 << 16) + "a"));
}

// libidn2 reads C strings: a NUL must not end the value early; bytes that are not UTF-8 never pass.
TEST(FormatIdnHostname, HostileBytes) {
  EXPECT_FALSE(Valid(Format::kIdnHostname, "b\u00fccher\0.example"sv));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "b\u00fccher.exa\0mple"sv));
  EXPECT_FALSE(Valid(Format::kIdnHostname, "\0"sv));
  EXPECT_FALSE(Valid(Format::kIdnHostname,
                     "b\xfc"
                     "cher.example"));                    // Latin-1, not UTF-8
  EXPECT_FALSE(Valid(Format::kIdnHostname, "\xe3\x80"));  // a cut-off separator
  EXPECT_FALSE(Valid(Format::kIdnHostname, "example.com\n"));
}

// ---------------------------------------------------------------------------------------------------
// email

TEST(FormatEmail, DotStringLocalPart) {
  EXPECT_TRUE(Valid(Format::kEmail, "joe.bloggs@example.com"));
  EXPECT_TRUE(Valid(Format::kEmail, "~te.s.t+tag!#$%&'*/=?^_`{|}@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, ".test@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "test.@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "te..st@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe bloggs@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "2962"));
}

TEST(FormatEmail, QuotedStringLocalPart) {
  EXPECT_TRUE(Valid(Format::kEmail, "\"joe bloggs\"@example.com"));
  EXPECT_TRUE(Valid(Format::kEmail, "\"a@b\\\"c\\\\\"@example.com"));
  EXPECT_TRUE(Valid(Format::kEmail, "\"\"@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "\"unterminated@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "\"a\"b@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "\"tab\there\"@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "\"nul\0\"@example.com"sv));
  EXPECT_FALSE(Valid(Format::kEmail, "\"a\\"));
}

TEST(FormatEmail, DomainIsAHostNameOrAnAddressLiteral) {
  EXPECT_TRUE(Valid(Format::kEmail, "joe@localhost"));
  EXPECT_TRUE(Valid(Format::kEmail, "joe@[192.168.0.1]"));
  EXPECT_TRUE(Valid(Format::kEmail, "joe@[IPv6:2001:db8::1]"));
  EXPECT_TRUE(Valid(Format::kEmail, "joe@[ipv6:::1]"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@[2001:db8::1]"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@[256.0.0.1]"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@[tag:content]"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@[192.168.0.1"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@example."));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@-example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@exa_mple.com"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@b\u00fccher.example"));
}

TEST(FormatEmail, OneMailboxWithoutHeaderSyntax) {
  EXPECT_FALSE(Valid(Format::kEmail, "user1@oceania.org, user2@oceania.org"));
  EXPECT_FALSE(
      Valid(Format::kEmail, "\"Winston Smith\" <winston.smith@recdep.minitrue> (Records Department)"));
  EXPECT_FALSE(Valid(Format::kEmail, "<joe@example.com>"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@example.com (comment)"));
  EXPECT_FALSE(Valid(Format::kEmail, "joe@@example.com"));
}

// RFC 5321 §4.5.3.1: local-part at most 64 octets, the whole mailbox at most 254.
TEST(FormatEmail, LengthLimits) {
  EXPECT_TRUE(Valid(Format::kEmail, std::string(64, 'a') + "@example.com"));
  EXPECT_FALSE(Valid(Format::kEmail, std::string(65, 'a') + "@example.com"));
  const std::string domain = std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(60, 'd');
  EXPECT_TRUE(Valid(Format::kEmail, std::string(64, 'a') + "@" + domain));           // 252
  EXPECT_FALSE(Valid(Format::kEmail, std::string(64, 'a') + "@" + domain + ".ee"));  // 255
}

// ---------------------------------------------------------------------------------------------------
// uri and uri-reference

TEST(FormatUri, SchemeIsRequired) {
  EXPECT_TRUE(Valid(Format::kUri, "http://foo.bar/?baz=qux#quux"));
  EXPECT_TRUE(Valid(Format::kUri, "mailto:John.Doe@example.com"));
  EXPECT_TRUE(Valid(Format::kUri, "urn:oasis:names:specification:docbook:dtd:xml:4.1.2"));
  EXPECT_TRUE(Valid(Format::kUri, "tel:+1-816-555-1212"));
  EXPECT_TRUE(Valid(Format::kUri, "a:"));
  EXPECT_TRUE(Valid(Format::kUri, "coap+tcp://example.com"));
  EXPECT_FALSE(Valid(Format::kUri, "//foo.bar/?baz=qux#quux"));
  EXPECT_FALSE(Valid(Format::kUri, "/abc"));
  EXPECT_FALSE(Valid(Format::kUri, "abc"));
  EXPECT_FALSE(Valid(Format::kUri, ":// should fail"));
  EXPECT_FALSE(Valid(Format::kUri, "1http://example.com"));
  EXPECT_FALSE(Valid(Format::kUri, "ht_tp://example.com"));
  EXPECT_FALSE(Valid(Format::kUri, "bar,baz:foo"));
  EXPECT_FALSE(Valid(Format::kUri, ""));
}

TEST(FormatUri, AuthorityUserinfoHostAndPort) {
  EXPECT_TRUE(Valid(Format::kUri, "http://-.~_!$&'()*+,;=:%40:80%2f::::::@example.com"));
  EXPECT_TRUE(Valid(Format::kUri, "http://user:pass@example.com:8080/p"));
  EXPECT_TRUE(Valid(Format::kUri, "http://example.com:/p"));    // port = *DIGIT
  EXPECT_TRUE(Valid(Format::kUri, "http://999.999.999.999/"));  // a reg-name
  EXPECT_TRUE(Valid(Format::kUri, "file:///etc/hosts"));        // empty host
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com:abc/path"));
  EXPECT_FALSE(Valid(Format::kUri, "http://a@b@example.com/"));
  EXPECT_FALSE(Valid(Format::kUri, "https://[@example.org/test.txt"));
  EXPECT_FALSE(Valid(Format::kUri, "http://exa mple.com/"));
  EXPECT_FALSE(Valid(Format::kUri, "http://exa%2.com/"));
}

TEST(FormatUri, IpLiteralHosts) {
  EXPECT_TRUE(Valid(Format::kUri, "ldap://[2001:db8::7]/c=GB?objectClass?one"));
  EXPECT_TRUE(Valid(Format::kUri, "http://[::1]:8080/"));
  EXPECT_TRUE(Valid(Format::kUri, "http://[v1.fe80::a+en1]/"));
  EXPECT_FALSE(Valid(Format::kUri, "http://[::ffff:01.2.3.4]"));
  EXPECT_FALSE(Valid(Format::kUri, "http://[fe80::1%25en0]/"));  // zone ids are RFC 6874, not 3986
  EXPECT_FALSE(Valid(Format::kUri, "http://[::1]x/"));
  EXPECT_FALSE(Valid(Format::kUri, "http://[::1/"));
  EXPECT_FALSE(Valid(Format::kUri, "http://[v1.]/"));
  EXPECT_FALSE(Valid(Format::kUri, "http://[vz.a]/"));
  EXPECT_FALSE(Valid(Format::kUri, "http:/[::1]"));
}

TEST(FormatUri, PercentEncodingIsComplete) {
  EXPECT_TRUE(Valid(Format::kUri, "http://foo.bar/?q=Test%20URL-encoded%20stuff"));
  EXPECT_TRUE(Valid(Format::kUri, "http://foo.bar/%aF#%00"));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com/%6G"));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com/%A"));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com/%"));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com/?%"));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.com/#%4"));
}

TEST(FormatUri, OnlyAllowedAsciiCharacters) {
  for (std::string_view bad : {"\\", "\"", "<", ">", "{", "}", "^", "`", "|", " ", "\t", "\u00ae"}) {
    EXPECT_FALSE(Valid(Format::kUri, "https://example.org/foobar" + std::string(bad) + ".txt")) << bad;
  }
  EXPECT_FALSE(Valid(Format::kUri, "https://example.org/a\0b"sv));
  EXPECT_FALSE(Valid(Format::kUri, "http://example.org/#a#b"));
  EXPECT_TRUE(Valid(Format::kUri, "http://example.org/a?b?c/d#e?f/g"));
  EXPECT_TRUE(Valid(Format::kUri, "http://foo.com/blah_(wikipedia)_blah#cite-1"));
}

TEST(FormatUriReference, RelativeReferences) {
  EXPECT_TRUE(Valid(Format::kUriReference, "http://foo.bar/?baz=qux#quux"));
  EXPECT_TRUE(Valid(Format::kUriReference, "//foo.bar/?baz=qux#quux"));
  EXPECT_TRUE(Valid(Format::kUriReference, "/abc"));
  EXPECT_TRUE(Valid(Format::kUriReference, "abc"));
  EXPECT_TRUE(Valid(Format::kUriReference, "#fragment"));
  EXPECT_TRUE(Valid(Format::kUriReference, "?query=1"));
  EXPECT_TRUE(Valid(Format::kUriReference, ""));
  EXPECT_TRUE(Valid(Format::kUriReference, "//"));
  EXPECT_TRUE(Valid(Format::kUriReference, "../a/b:c"));
  EXPECT_FALSE(Valid(Format::kUriReference, "\\\\WINDOWS\\fileshare"));
  EXPECT_FALSE(Valid(Format::kUriReference, "#frag\\ment"));
  EXPECT_FALSE(Valid(Format::kUriReference, "/foobar\u00ae.txt"));
  EXPECT_FALSE(Valid(Format::kUriReference, "/%zz"));
  EXPECT_FALSE(Valid(Format::kUriReference, "/[::1]"));
  EXPECT_FALSE(Valid(Format::kUriReference, "//a@b@example.com/"));
  EXPECT_FALSE(Valid(Format::kUriReference, "//[::ffff:192.168.0.01]/p"));
}

// RFC 3986 §4.2: path-noscheme, or "1:b" would read as scheme "1".
TEST(FormatUriReference, NoColonInTheFirstSegmentOfARelativePath) {
  EXPECT_FALSE(Valid(Format::kUriReference, "1:b"));
  EXPECT_FALSE(Valid(Format::kUriReference, "a_b:c"));
  EXPECT_TRUE(Valid(Format::kUriReference, "./this:that"));
  EXPECT_TRUE(Valid(Format::kUriReference, "this:that"));  // a URI with scheme "this"
  EXPECT_TRUE(Valid(Format::kUriReference, "a/b:c"));
  EXPECT_TRUE(Valid(Format::kUriReference, "?a:b"));
}

// ---------------------------------------------------------------------------------------------------
// json-pointer and relative-json-pointer

TEST(FormatJsonPointer, EmptyOrSlashSeparatedTokens) {
  for (std::string_view valid : {"", "/", "/foo", "/foo/0", "//", "/foo//bar", "/a~1b", "/m~0n", "/c%d",
                                 "/e^f", "/i\\j", "/k\"l", "/ ", "/foo/-", "/foo/bar/\U0001F60E"}) {
    EXPECT_TRUE(Valid(Format::kJsonPointer, valid)) << valid;
  }
  EXPECT_TRUE(Valid(Format::kJsonPointer, "/foo\0bar\n"sv));
  for (std::string_view invalid : {"#", "#/", "a", "0", "a/a", " /"}) {
    EXPECT_FALSE(Valid(Format::kJsonPointer, invalid)) << invalid;
  }
}

TEST(FormatJsonPointer, TildeOnlyBeforeZeroOrOne) {
  for (std::string_view valid : {"/~0", "/~1", "/~1~0~0~1~1", "/~0.1", "/~01"}) {
    EXPECT_TRUE(Valid(Format::kJsonPointer, valid)) << valid;
  }
  for (std::string_view invalid : std::initializer_list<std::string_view>{"/~", "/foo/bar~", "/~0~", "/~0/~",
                                                                          "/~2", "/~-1", "/~~", "/~\0"sv}) {
    EXPECT_FALSE(Valid(Format::kJsonPointer, invalid)) << invalid;
  }
}

TEST(FormatRelativeJsonPointer, NonNegativeIntegerThenHashOrPointer) {
  for (std::string_view valid : {"0", "1", "100", "0#", "0/foo/bar", "2/0/baz/1/zip", "0//", "120/foo/bar"}) {
    EXPECT_TRUE(Valid(Format::kRelativeJsonPointer, valid)) << valid;
  }
  EXPECT_TRUE(Valid(Format::kRelativeJsonPointer, std::string(10000, '9') + "#"));  // no size limit
  for (std::string_view invalid : std::initializer_list<std::string_view>{
           "", "#", "/foo/bar", "-1/foo", "+1/foo", "\u0661/foo", "0##", "01/a", "01#", "0/~2", "0/foo/bar~",
           "1#/foo/bar", "1\n", "1 ", "1\0"sv}) {
    EXPECT_FALSE(Valid(Format::kRelativeJsonPointer, invalid)) << invalid;
  }
}

// ---------------------------------------------------------------------------------------------------
// regex, delegated to EcmaRegex (regex.h).

TEST(FormatRegex, WhetherThePatternCompiles) {
  EXPECT_TRUE(Valid(Format::kRegex, "^[a-z]+\\d*$"));
  EXPECT_FALSE(Valid(Format::kRegex, "(unclosed"));
}

}  // namespace
}  // namespace formats_test
}  // namespace logdaemon::schema
