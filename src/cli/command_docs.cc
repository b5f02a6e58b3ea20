#include "cli/command_docs.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>
#include <vector>

namespace logdaemon::cli {

namespace {

constexpr std::string_view kProgram = "logdaemon";

// ---- roff ---------------------------------------------------------------------------------------------

// Text as roff reads it literally: backslashes escaped, hyphens as \- (so that option names stay ASCII
// minus signs when rendered, and can be searched and copied), a leading '.' or '\'' not taken as a request.
std::string Roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c == '\n') {
      out += "\n.br\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

std::string Header(std::string_view page, int section, const ManPageInfo& info, std::string_view manual) {
  return ".TH " + Roff(Upper(page)) + " " + std::to_string(section) + " \"" + info.date + "\" \"" +
         std::string(kProgram) + " " + info.version + "\" \"" + std::string(manual) + "\"\n";
}

// ---- the command tree -----------------------------------------------------------------------------------

// The subcommands --help lists (a hidden one has an empty group).
std::vector<const CLI::App*> VisibleSubcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

bool TakesValue(const CLI::Option& option) {
  return option.get_expected_max() > 0;  // a flag expects no value
}

// "-s, --socket PATH", "--compaction, --no-compaction", "FILE".
std::string OptionSignature(const CLI::Option& option) {
  if (option.get_lnames().empty() && option.get_snames().empty()) {
    return "\\fI" + Roff(option.get_name()) + "\\fR";
  }
  std::string names;
  for (const std::string& name : option.get_snames()) {
    names += (names.empty() ? "" : ", ") + ("\\fB" + Roff("-" + name) + "\\fR");
  }
  for (const std::string& name : option.get_lnames()) {
    names += (names.empty() ? "" : ", ") + ("\\fB" + Roff("--" + name) + "\\fR");
  }
  if (TakesValue(option) && !option.get_type_name().empty()) {
    names += " \\fI" + Roff(option.get_type_name()) + "\\fR";
  }
  return names;
}

std::string OptionEntry(const CLI::Option& option) {
  std::string entry = ".TP\n" + OptionSignature(option) + "\n" + Roff(option.get_description());
  if (!option.get_default_str().empty()) entry += " (default: " + Roff(option.get_default_str()) + ")";
  if (option.get_required()) entry += " (required)";
  return entry + "\n";
}

std::string OptionsSection(const CLI::App& command) {
  std::string arguments;
  std::string options;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_lnames().empty() && option->get_snames().empty()) {
      arguments += OptionEntry(*option);
    } else {
      options += OptionEntry(*option);
    }
  }
  std::string out;
  if (!arguments.empty()) out += ".SH ARGUMENTS\n" + arguments;
  if (!options.empty()) out += ".SH OPTIONS\n" + options;
  return out;
}

std::string Synopsis(const CLI::App& command) {
  std::string out = ".SH SYNOPSIS\n.B " + std::string(kProgram) + " " + Roff(command.get_name()) + "\n";
  out += "[\\fIOPTIONS\\fR]";
  for (const CLI::Option* option : command.get_options()) {
    if (!option->get_lnames().empty() || !option->get_snames().empty()) continue;
    const bool many = option->get_items_expected_max() > 1;
    const std::string name = "\\fI" + Roff(option->get_name()) + "\\fR" + (many ? "..." : "");
    out += option->get_required() ? " " + name : " [" + name + "]";
  }
  return out + "\n";
}

constexpr std::string_view kExitStatus =
    ".SH EXIT STATUS\n"
    ".TP\n0\nSuccess.\n"
    ".TP\n1\nThe command ran and found a problem (a bad file, rejected logs, a daemon that failed).\n"
    ".TP\n2\nA usage error: an unknown flag, a bad value (the message names the flag).\n";

std::string SeeAlso(const CLI::App& app, std::string_view except) {
  std::string out = ".SH SEE ALSO\n";
  std::vector<std::string> pages;
  if (except != kProgram) pages.push_back("\\fB" + std::string(kProgram) + "\\fR(1)");
  for (const CLI::App* sub : VisibleSubcommands(app)) {
    if (sub->get_name() == except) continue;
    pages.push_back("\\fB" + Roff(std::string(kProgram) + "-" + sub->get_name()) + "\\fR(1)");
  }
  pages.push_back("\\fBlogdaemon.toml\\fR(5)");
  for (size_t i = 0; i < pages.size(); ++i) out += pages[i] + (i + 1 < pages.size() ? ",\n" : "\n");
  return out;
}

}  // namespace

std::string MainManPage(const CLI::App& app, const ManPageInfo& info) {
  std::string page = Header(kProgram, 1, info, "User Commands");
  page += ".SH NAME\n" + std::string(kProgram) + " \\- " + Roff(app.get_description()) + "\n";
  page += ".SH SYNOPSIS\n.B " + std::string(kProgram) + "\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n";
  page += ".SH COMMANDS\n";
  for (const CLI::App* sub : VisibleSubcommands(app)) {
    page += ".TP\n\\fB" + Roff(sub->get_name()) + "\\fR\n" + Roff(sub->get_description()) + "; see \\fB" +
            Roff(std::string(kProgram) + "-" + sub->get_name()) + "\\fR(1).\n";
  }
  page += OptionsSection(app);
  page += std::string(kExitStatus);
  return page + SeeAlso(app, kProgram);
}

std::string SubcommandManPage(const CLI::App& app, const CLI::App& command, const ManPageInfo& info) {
  const std::string name = std::string(kProgram) + "-" + command.get_name();
  std::string page = Header(name, 1, info, "User Commands");
  page += ".SH NAME\n" + Roff(name) + " \\- " + Roff(command.get_description()) + "\n";
  page += Synopsis(command);
  page += ".SH DESCRIPTION\n" + Roff(command.get_description()) + ".\n";
  if (command.get_name() == "serve") {
    page +=
        ".PP\nEvery flag but \\fB\\-\\-config\\fR is also a key of the configuration file, "
        "\\fBlogdaemon.toml\\fR(5); a flag given on the command line wins over the file.\n"
        ".PP\nUnder systemd the daemon takes its listening sockets from socket activation "
        "(\\fBLISTEN_FDS\\fR: a Unix stream socket for the wire protocol, a TCP socket for the HTTP "
        "front door) instead of binding \\fB\\-\\-socket\\fR and \\fB\\-\\-http\\-addr\\fR, and reports "
        "READY=1, STATUS=, STOPPING=1 and WATCHDOG=1 to \\fBNOTIFY_SOCKET\\fR.\n";
  }
  page += OptionsSection(command);
  page += std::string(kExitStatus);
  return page + SeeAlso(app, command.get_name());
}

namespace {

std::string_view KindText(SettingKind kind) {
  switch (kind) {
    case SettingKind::kInteger:
      return "integer";
    case SettingKind::kSize:
      return "integer (bytes) or string with a unit (\"64KiB\", \"1MiB\")";
    case SettingKind::kString:
      return "string";
    case SettingKind::kBoolean:
      return "boolean";
    case SettingKind::kStringList:
      return "array of strings (or one string)";
    case SettingKind::kMode:
      return "string of octal digits (\"0660\") or octal integer (0o660)";
    case SettingKind::kGroup:
      return "string (group name or number) or integer (gid)";
    case SettingKind::kDuration:
      return "string with a unit (\"30d\", \"1h\") or \"off\", or integer (seconds)";
  }
  return "value";
}

}  // namespace

std::string ConfigManPage(std::span<const SettingSpec> specs, const ManPageInfo& info) {
  std::string page = Header("logdaemon.toml", 5, info, "File Formats");
  page += ".SH NAME\nlogdaemon.toml \\- settings of \\fBlogdaemon serve\\fR\n";
  page +=
      ".SH SYNOPSIS\n/etc/logdaemon/logdaemon.toml (the packaged service), or any file given to "
      "\\fBlogdaemon serve \\-\\-config\\fR \\fIFILE\\fR\n";
  page +=
      ".SH DESCRIPTION\nA TOML document whose keys are the long names of the flags of "
      "\\fBlogdaemon\\-serve\\fR(1). Precedence: the built\\-in defaults, then this file, then the flags "
      "given on the command line. A key that is not a setting, or a value of the wrong type, stops the "
      "daemon at start with an error naming the file, line, column and key. Relative paths are relative "
      "to the directory the daemon is started in.\n";
  page += ".SH KEYS\n";
  for (const SettingSpec& spec : specs) {
    page += ".TP\n\\fB" + Roff(spec.name) + "\\fR = \\fI" + Roff(KindText(spec.kind)) + "\\fR\n";
    page += Roff(spec.help);
    if (!spec.help.empty() && spec.help.back() != '.') page += ".";
    if (!spec.default_text.empty()) page += " Default: " + Roff(spec.default_text) + ".";
    page += " Flag: \\fB" + Roff("--" + std::string(spec.name)) + "\\fR.\n";
  }
  page +=
      ".SH EXAMPLE\n.nf\nsocket = \"/run/logdaemon/logdaemon.sock\"\nsocket\\-group = \"logdaemon\"\n"
      "storage = \"/var/lib/logdaemon\"\ncompression = \"zstd\"\nretention\\-days = 30\n.fi\n";
  page += ".SH SEE ALSO\n\\fBlogdaemon\\fR(1), \\fBlogdaemon\\-serve\\fR(1)\n";
  return page;
}

namespace {

// The names an option is typed as: "-s", "--socket", "--no-compaction".
std::vector<std::string> FlagNames(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const std::string& name : option.get_snames()) names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) names.push_back("--" + name);
  return names;
}

// One `case` branch: the flags of `command`, and those of them that take a value.
std::string CompletionBranch(const CLI::App& command, std::string_view label) {
  std::string flags;
  std::string valued;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : FlagNames(*option)) {
      flags += (flags.empty() ? "" : " ") + name;
      if (TakesValue(*option)) valued += " " + name;
    }
  }
  return "    " + std::string(label) + ")\n      flags=\"" + flags + "\"\n      valued=\"" + valued +
         " \"\n      ;;\n";
}

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  std::string commands;
  for (const CLI::App* sub : VisibleSubcommands(app))
    commands += (commands.empty() ? "" : " ") + sub->get_name();
  std::string script =
      "# bash completion for logdaemon, generated from its command-line definitions (logdaemon "
      "generate-docs):\n# every subcommand and flag; file names for flag values and arguments.\n"
      "_logdaemon() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  local commands=\"" +
      commands +
      "\"\n"
      "  local command=\"\" flags valued i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \" $commands \" in *\" ${COMP_WORDS[i]} \"*) command=${COMP_WORDS[i]}; break ;; esac\n"
      "  done\n"
      "  case $command in\n";
  for (const CLI::App* sub : VisibleSubcommands(app)) script += CompletionBranch(*sub, sub->get_name());
  script += CompletionBranch(app, "*");
  script +=
      "  esac\n"
      "  if [[ $valued == *\" $prev \"* ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  elif [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
      "  elif [[ -z $command ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -o filenames -F _logdaemon logdaemon\n";
  return script;
}

namespace {

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::OK();
}

}  // namespace

Status WriteCommandDocs(const CLI::App& app, const std::string& man_dir, const std::string& completion_file,
                        const ManPageInfo& info) {
  const std::filesystem::path man(man_dir);
  if (Status st = WriteFile(man / "man1" / "logdaemon.1", MainManPage(app, info)); !st.ok()) return st;
  for (const CLI::App* sub : VisibleSubcommands(app)) {
    const std::string page = "logdaemon-" + sub->get_name() + ".1";
    if (Status st = WriteFile(man / "man1" / page, SubcommandManPage(app, *sub, info)); !st.ok()) return st;
  }
  if (Status st = WriteFile(man / "man5" / "logdaemon.toml.5", ConfigManPage(ServeSettingSpecs(), info));
      !st.ok())
    return st;
  return WriteFile(completion_file, BashCompletion(app));
}

}  // namespace logdaemon::cli
