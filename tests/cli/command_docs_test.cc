// The man pages and bash completion generated from a CLI11 command tree (cli/command_docs.h): every visible
// subcommand and flag, roff escaping of what the help texts hold, hidden subcommands left out.
#include "cli/command_docs.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace logdaemon::cli {
namespace command_docs_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

const ManPageInfo kInfo{"1.2.3", "2026-01-15"};

struct Tree {
  Tree() {
    demo = app.add_subcommand("demo", ".leading dot, back\\slash and -dash");
    demo->add_option("-n,--flag-x", value, "How many (uses -dash)")->type_name("N")->default_str("5");
    demo->add_flag("--quiet,!--no-quiet", flag, "No output");
    demo->add_option("FILE", files, "Input files");
    hidden = app.add_subcommand("secret", "Not for users");
    hidden->group("");
    hidden->add_option("--secret-flag", value, "hidden");
  }
  CLI::App app{"Demo program"};
  CLI::App* demo = nullptr;
  CLI::App* hidden = nullptr;
  int value = 0;
  bool flag = false;
  std::vector<std::string> files;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CommandDocs, MainPageListsVisibleSubcommandsOnly) {
  Tree tree;
  const std::string page = MainManPage(tree.app, kInfo);
  EXPECT_TRUE(page.starts_with(".TH LOGDAEMON 1 \"2026-01-15\" \"logdaemon 1.2.3\"")) << page;
  EXPECT_TRUE(Contains(page, "\\fBdemo\\fR")) << page;
  EXPECT_TRUE(Contains(page, "\\fBlogdaemon\\-demo\\fR(1)")) << page;
  EXPECT_FALSE(Contains(page, "secret")) << page;
  EXPECT_TRUE(Contains(page, "\\fB\\-\\-help\\fR")) << page;
}

// Help texts are text, not roff: a leading dot, a backslash and hyphens are escaped.
TEST(CommandDocs, SubcommandPageEscapesAndListsEveryOption) {
  Tree tree;
  const std::string page = SubcommandManPage(tree.app, *tree.demo, kInfo);
  EXPECT_TRUE(Contains(page, "\\&.leading dot, back\\eslash and \\-dash")) << page;
  EXPECT_TRUE(
      Contains(page, "\\fB\\-n\\fR, \\fB\\-\\-flag\\-x\\fR \\fIN\\fR\nHow many (uses \\-dash) (default: 5)"))
      << page;
  EXPECT_TRUE(Contains(page, "\\fB\\-\\-quiet\\fR, \\fB\\-\\-no\\-quiet\\fR\nNo output")) << page;
  EXPECT_TRUE(Contains(page, ".SH ARGUMENTS\n.TP\n\\fIFILE\\fR")) << page;
  EXPECT_TRUE(Contains(page, ".B logdaemon demo\n[\\fIOPTIONS\\fR] [\\fIFILE\\fR...]")) << page;
  // No line may start with a roff control character except the requests the generator writes.
  size_t start = 0;
  while (start < page.size()) {
    const size_t end = page.find('\n', start);
    const std::string line = page.substr(start, end - start);
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      EXPECT_TRUE(line.starts_with(".TH ") || line.starts_with(".SH ") || line == ".TP" || line == ".PP" ||
                  line.starts_with(".B ") || line == ".br")
          << "a line read as a roff request: " << line;
    }
    start = end == std::string::npos ? page.size() : end + 1;
  }
}

TEST(CommandDocs, ConfigPageHasEverySettingOfTheTable) {
  const std::string page = ConfigManPage(ServeSettingSpecs(), kInfo);
  EXPECT_TRUE(page.starts_with(".TH LOGDAEMON.TOML 5")) << page;
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    std::string escaped;
    for (char c : spec.name) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_TRUE(Contains(page, ".TP\n\\fB" + escaped + "\\fR = \\fI")) << spec.name;
    EXPECT_TRUE(Contains(page, "Flag: \\fB\\-\\-" + escaped + "\\fR.")) << spec.name;
  }
}

TEST(CommandDocs, CompletionHasEveryFlagAndTheValuedOnes) {
  Tree tree;
  const std::string script = BashCompletion(tree.app);
  EXPECT_TRUE(Contains(script, "local commands=\"demo\"")) << script;
  EXPECT_TRUE(Contains(script, "flags=\"-h --help -n --flag-x --quiet --no-quiet\"")) << script;
  EXPECT_TRUE(Contains(script, "valued=\" -n --flag-x \"")) << script;  // flags take no value
  EXPECT_FALSE(Contains(script, "secret")) << script;
  EXPECT_TRUE(Contains(script, "complete -o filenames -F _logdaemon logdaemon")) << script;
}

TEST(CommandDocs, WriteFailsNamingTheFile) {
  Tree tree;
  Status st = WriteCommandDocs(tree.app, "/proc/no-such-dir/man", "/proc/no-such-dir/logdaemon.bash", kInfo);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_TRUE(Contains(st.message(), "/proc/no-such-dir/man/man1/logdaemon.1")) << st.message();
}

}  // namespace
}  // namespace command_docs_test
}  // namespace logdaemon::cli
