// The man pages and the bash completion of `logdaemon`, generated from the same definitions as --help: the
// CLI11 command tree built in main.cc (every subcommand, flag, value name, default and help text) and the
// settings table of `serve` (ServeSettingSpecs: the config file's keys). Run at build time through the
// hidden `logdaemon generate-docs` subcommand, so a flag added to the code is in the pages and the
// completion of the same build.
//
// Pages: logdaemon(1), logdaemon-<subcommand>(1) for each visible subcommand, logdaemon.toml(5).
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cli/serve_settings.h"
#include "logdaemon/status.h"

namespace CLI {
class App;
}

namespace logdaemon::cli {

struct ManPageInfo {
  std::string version;  // "0.1.0"
  std::string date;     // "2026-12-05": the .TH date (the build's, or SOURCE_DATE_EPOCH's)
};

// logdaemon(1): the subcommands and the top-level options.
std::string MainManPage(const CLI::App& app, const ManPageInfo& info);
// logdaemon-NAME(1): one subcommand's synopsis, arguments and options.
std::string SubcommandManPage(const CLI::App& app, const CLI::App& command, const ManPageInfo& info);
// logdaemon.toml(5): every key of the `serve` config file.
std::string ConfigManPage(std::span<const SettingSpec> specs, const ManPageInfo& info);
// A bash completion script for every subcommand and flag (file names for values and arguments).
std::string BashCompletion(const CLI::App& app);

// Writes every page into `man_dir` (man1/…, man5/…) and the completion script to `completion_file`.
// IOError naming the file that could not be written.
Status WriteCommandDocs(const CLI::App& app, const std::string& man_dir, const std::string& completion_file,
                        const ManPageInfo& info);

}  // namespace logdaemon::cli
