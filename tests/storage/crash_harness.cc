// storage_crash_harness WRITER DIR RUNS: the crash test (issue 4, proof 2). Runs `WRITER DIR RUN`
// (crash_writer.cc) RUNS times on the same directory, killing it with SIGKILL each time: at a random
// moment 50–600 ms in, or — every other run — the moment a merge is seen in progress (a "merge-*" file in
// DIR/.tmp/). Each run starts by recovering what the previous kill left. After every kill it checks:
//   (a) every visible file opens and reads fully with our reader;
//   (b) no seq appears twice among the visible files;
//   (c) for every run so far, every row it reported flushed ("flushed N": seq run*1e9 + [0, N)) is there.
// At the end it opens and closes the storage once more (recovery removes superseded files), checks again
// that nothing is superseded or left in .tmp/, and prints "rows <count>" for the DuckDB check
// (storage_duckdb.sh), which must see exactly as many rows.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/crash_schema.h"
#include "storage/storage_test_util.h"

namespace {

using namespace logdaemon;
using namespace logdaemon::storage::testing;
using Clock = std::chrono::steady_clock;

pid_t g_child = -1;

[[noreturn]] void Fail(const std::string& why) {
  if (g_child > 0) {
    ::kill(g_child, SIGKILL);
    ::waitpid(g_child, nullptr, 0);
  }
  std::fprintf(stderr, "crash test FAILED: %s\n", why.c_str());
  std::exit(1);
}

bool MergeInProgress(const std::string& tmp) {
  DIR* dir = ::opendir(tmp.c_str());
  if (dir == nullptr) return false;
  bool found = false;
  while (dirent* entry = ::readdir(dir)) {
    if (std::strncmp(entry->d_name, "merge-", 6) == 0) {
      found = true;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

struct RunResult {
  int64_t flushed = 0;  // the last "flushed N" line
  bool killed_in_merge = false;
  double killed_after_ms = 0;
};

// Starts the writer, kills it, returns what it reported.
RunResult RunOnce(const std::string& writer, const std::string& dir, int run, bool wait_for_merge,
                  std::mt19937_64* rng) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) Fail("pipe");
  const Clock::time_point start = Clock::now();
  pid_t child = ::fork();
  if (child < 0) Fail("fork");
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the harness
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    std::string run_text = std::to_string(run);
    ::execl(writer.c_str(), writer.c_str(), dir.c_str(), run_text.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  g_child = child;
  ::close(pipe_fds[1]);
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::string output;
  auto drain = [&] {
    char buffer[4096];
    for (;;) {
      ssize_t n = ::read(pipe_fds[0], buffer, sizeof(buffer));
      if (n <= 0) return;
      output.append(buffer, static_cast<size_t>(n));
    }
  };
  RunResult result;
  const std::string tmp = dir + "/.tmp";
  // In merge runs, the first merge seen after a random 50–400 ms (early ones merge what earlier runs
  // left; later ones what this run wrote).
  const auto min_delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 400)(*rng));
  const auto delay = wait_for_merge
                         ? std::chrono::milliseconds(3000)
                         : std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 600)(*rng));
  for (;;) {
    drain();
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      g_child = -1;
      drain();
      Fail("run " + std::to_string(run) + ": the writer exited by itself (status " + std::to_string(status) +
           "); its output:\n" + output);
    }
    const auto elapsed = Clock::now() - start;
    if (elapsed >= delay) break;
    if (wait_for_merge && elapsed >= min_delay && MergeInProgress(tmp)) {
      result.killed_in_merge = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(wait_for_merge ? 200 : 2000));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  g_child = -1;
  result.killed_after_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
    Fail("run " + std::to_string(run) + ": not killed");
  drain();
  ::close(pipe_fds[0]);
  // The last complete "flushed N" line (a line cut short by the kill does not count).
  size_t end = output.rfind('\n');
  if (end != std::string::npos) {
    size_t begin = output.rfind('\n', end - 1);
    begin = begin == std::string::npos ? 0 : begin + 1;
    std::string line = output.substr(begin, end - begin);
    if (line.rfind("flushed ", 0) != 0) Fail("run " + std::to_string(run) + ": unexpected output: " + line);
    result.flushed = std::atoll(line.c_str() + 8);
  }
  return result;
}

struct CheckResult {
  size_t files = 0;
  size_t rows = 0;
  size_t superseded = 0;
};

CheckResult Check(const std::string& dir, const std::vector<int64_t>& flushed, const std::string& when) {
  StorageContents contents;
  // (a) every visible file reads fully.
  if (Status st = ReadStorage(dir, &contents); !st.ok())
    Fail(when + ": a visible file does not read: " + st.ToString());
  std::vector<int64_t> seqs;
  seqs.reserve(contents.total_rows());
  for (const VisibleFile& file : contents.files) {
    if (file.contents.columns.size() != 4 || file.contents.columns[1].name != "seq") {
      Fail(when + ": " + file.file.path + " does not have the crash test's columns");
    }
    for (const Row& row : file.contents.rows) seqs.push_back(std::get<int64_t>(row[1]));
  }
  // (b) no row twice.
  std::sort(seqs.begin(), seqs.end());
  auto twice = std::adjacent_find(seqs.begin(), seqs.end());
  if (twice != seqs.end()) Fail(when + ": seq " + std::to_string(*twice) + " is visible twice");
  // (c) every flushed row of every run.
  for (size_t run = 0; run < flushed.size(); ++run) {
    const int64_t first = static_cast<int64_t>(run) * kRunStride;
    auto lo = std::lower_bound(seqs.begin(), seqs.end(), first);
    auto hi = std::lower_bound(seqs.begin(), seqs.end(), first + flushed[run]);
    if (hi - lo != flushed[run]) {
      Fail(when + ": run " + std::to_string(run) + " flushed " + std::to_string(flushed[run]) +
           " rows but only " + std::to_string(hi - lo) + " of them are visible");
    }
  }
  return {contents.files.size(), seqs.size(), contents.superseded};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: storage_crash_harness WRITER DIR RUNS\n");
    return 2;
  }
  const std::string writer = argv[1];
  const std::string dir = argv[2];
  const int runs = std::atoi(argv[3]);
  std::random_device seed_source;
  const uint64_t seed = std::getenv("CRASH_TEST_SEED")
                            ? std::strtoull(std::getenv("CRASH_TEST_SEED"), nullptr, 10)
                            : seed_source();
  std::printf("seed %llu (set CRASH_TEST_SEED to repeat the kill delays)\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::vector<int64_t> flushed;
  int merge_kills = 0;
  size_t superseded_seen = 0;
  for (int run = 0; run < runs; ++run) {
    const bool wait_for_merge = run % 2 == 1;
    RunResult result = RunOnce(writer, dir, run, wait_for_merge, &rng);
    flushed.push_back(result.flushed);
    merge_kills += result.killed_in_merge;
    CheckResult check = Check(dir, flushed, "after run " + std::to_string(run));
    superseded_seen += check.superseded > 0;
    std::printf(
        "run %d: killed after %.0f ms%s; flushed %lld; visible: %zu files, %zu rows; superseded %zu\n", run,
        result.killed_after_ms, result.killed_in_merge ? " during a merge" : "",
        static_cast<long long>(result.flushed), check.files, check.rows, check.superseded);
    std::fflush(stdout);
  }
  // A clean open and close: recovery removes superseded files and clears .tmp/.
  {
    auto schema = SchemaValidator::FromString(kCrashSchema);
    StorageOptions options;
    options.directory = dir;
    auto engine = StorageEngine::Open(options, std::move(*schema));
    if (!engine.ok()) Fail("final open: " + engine.status().ToString());
    if (Status st = (*engine)->Close(); !st.ok()) Fail("final close: " + st.ToString());
  }
  CheckResult final_check = Check(dir, flushed, "after the final recovery");
  if (final_check.superseded != 0) Fail("superseded files survived recovery");
  for (const std::string& name : ListNames(dir + "/.tmp")) Fail(".tmp/ still holds " + name);
  std::printf("kills during a merge: %d of %d; runs leaving superseded files: %zu\n", merge_kills, runs,
              superseded_seen);
  // Some kills must really have hit a merge, or the test does not test what it claims.
  if (merge_kills < runs / 10) Fail("too few kills during a merge: " + std::to_string(merge_kills));
  std::printf("files %zu\nrows %zu\n", final_check.files, final_check.rows);
  return 0;
}
