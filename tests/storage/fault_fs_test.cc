// The file-system layer: the POSIX implementation (storage/fs.h) and the fault-injecting wrapper tests use
// to make a disk fail or fill up (storage/fault_fs.h).
#include "storage/fault_fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/fs.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace fault_fs_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Op = FaultInjectingFileSystem::Op;

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_fs") {}
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status AppendString(WritableFile* file, const std::string& bytes) {
  return file->Append(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Creates `path` with `bytes` through `fs`; the status of the first failing step.
Status WriteWhole(FileSystem* fs, const std::string& path, const std::string& bytes) {
  auto file = fs->NewWritableFile(path);
  if (!file.ok()) return file.status();
  if (Status status = AppendString(file->get(), bytes); !status.ok()) return status;
  if (Status status = (*file)->Sync(); !status.ok()) return status;
  return (*file)->Close();
}

// ---- The POSIX file system ----

TEST(PosixFileSystem, WritesSyncsRenamesAndRemoves) {
  TempDir dir;
  FileSystem* fs = DefaultFileSystem();
  const std::string tmp = dir.path() + "/a.tmp";
  const std::string final_path = dir.path() + "/a";
  ASSERT_TRUE(WriteWhole(fs, tmp, "hello world").ok());
  EXPECT_EQ(ReadAll(tmp), "hello world");
  ASSERT_TRUE(fs->Rename(tmp, final_path).ok());
  ASSERT_TRUE(fs->SyncDir(dir.path()).ok());
  EXPECT_FALSE(Exists(tmp));
  EXPECT_EQ(ReadAll(final_path), "hello world");
  struct stat st;
  ASSERT_EQ(::stat(final_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0022u,
            0640u);  // kDefaultFileMode (0640) less a 022 umask: not world-readable
  ASSERT_TRUE(fs->Remove(final_path).ok());
  EXPECT_FALSE(Exists(final_path));
}

TEST(PosixFileSystem, NewWritableFileTruncates) {
  TempDir dir;
  const std::string path = dir.path() + "/f";
  ASSERT_TRUE(WriteWhole(DefaultFileSystem(), path, "a long first version").ok());
  ASSERT_TRUE(WriteWhole(DefaultFileSystem(), path, "short").ok());
  EXPECT_EQ(ReadAll(path), "short");
}

TEST(PosixFileSystem, CloseIsIdempotentAndLaterWritesFail) {
  TempDir dir;
  auto file = DefaultFileSystem()->NewWritableFile(dir.path() + "/f");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok());
  EXPECT_FALSE(AppendString(file->get(), "x").ok());
  EXPECT_FALSE((*file)->Sync().ok());
}

TEST(PosixFileSystem, DestructorClosesTheFile) {
  TempDir dir;
  { ASSERT_TRUE(DefaultFileSystem()->NewWritableFile(dir.path() + "/f").ok()); }
  ASSERT_TRUE(DefaultFileSystem()->Remove(dir.path() + "/f").ok());
}

TEST(PosixFileSystem, ErrorsNameTheOperationPathAndErrno) {
  TempDir dir;
  FileSystem* fs = DefaultFileSystem();
  const std::string missing = dir.path() + "/missing";

  auto file = fs->NewWritableFile(missing + "/f");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), Status::Code::kIOError);
  EXPECT_EQ(file.status().message(), "open " + missing + "/f: No such file or directory");

  Status status = fs->Remove(missing);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_EQ(status.message(), "unlink " + missing + ": No such file or directory");

  std::vector<DirEntry> entries = {DirEntry{}};
  status = fs->ListDir(missing, &entries);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_TRUE(entries.empty());

  status = fs->Rename(missing, dir.path() + "/to");
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_EQ(status.message(), "rename " + missing + " to " + dir.path() + "/to: No such file or directory");

  EXPECT_FALSE(fs->SyncDir(missing).ok());
  EXPECT_FALSE(fs->RemoveDir(missing).ok());
}

TEST(PosixFileSystem, CreateDirsIsMkdirP) {
  TempDir dir;
  FileSystem* fs = DefaultFileSystem();
  const std::string deep = dir.path() + "/a/b//c/";
  ASSERT_TRUE(fs->CreateDirs(deep).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/a/b/c"));
  EXPECT_TRUE(fs->CreateDirs(deep).ok());        // exists
  EXPECT_TRUE(fs->CreateDirs(dir.path()).ok());  // exists
  ASSERT_TRUE(WriteWhole(fs, dir.path() + "/file", "").ok());
  Status status = fs->CreateDirs(dir.path() + "/file/sub");
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  status = fs->CreateDirs(dir.path() + "/file");
  EXPECT_EQ(status.code(), Status::Code::kIOError) << "a file is in the way";
}

TEST(PosixFileSystem, RemoveDirRemovesOnlyEmptyDirectories) {
  TempDir dir;
  FileSystem* fs = DefaultFileSystem();
  ASSERT_TRUE(fs->CreateDirs(dir.path() + "/d").ok());
  ASSERT_TRUE(WriteWhole(fs, dir.path() + "/d/f", "x").ok());
  EXPECT_FALSE(fs->RemoveDir(dir.path() + "/d").ok());
  ASSERT_TRUE(fs->Remove(dir.path() + "/d/f").ok());
  EXPECT_TRUE(fs->RemoveDir(dir.path() + "/d").ok());
  EXPECT_FALSE(Exists(dir.path() + "/d"));
}

TEST(PosixFileSystem, ListDirReportsKindsAndSizes) {
  TempDir dir;
  FileSystem* fs = DefaultFileSystem();
  ASSERT_TRUE(fs->CreateDirs(dir.path() + "/sub").ok());
  ASSERT_TRUE(WriteWhole(fs, dir.path() + "/five", "12345").ok());
  ASSERT_EQ(::symlink("sub", (dir.path() + "/link").c_str()), 0);
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs->ListDir(dir.path(), &entries).ok());
  std::sort(entries.begin(), entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  ASSERT_EQ(entries.size(), 3u);  // no "." or ".."
  EXPECT_EQ(entries[0].name, "five");
  EXPECT_FALSE(entries[0].is_dir);
  EXPECT_EQ(entries[0].size, 5u);
  EXPECT_EQ(entries[1].name, "link");
  EXPECT_FALSE(entries[1].is_dir);  // lstat: a symlink is not followed
  EXPECT_EQ(entries[1].size, 0u);
  EXPECT_EQ(entries[2].name, "sub");
  EXPECT_TRUE(entries[2].is_dir);
}

// ---- The fault-injecting file system ----

TEST(FaultFs, PassesThroughWithoutFaults) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(dir.path() + "/.tmp").ok());
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/.tmp/f", "data").ok());
  ASSERT_TRUE(fs.Rename(dir.path() + "/.tmp/f", dir.path() + "/f").ok());
  ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
  EXPECT_EQ(ReadAll(dir.path() + "/f"), "data");
  std::vector<DirEntry> entries;
  ASSERT_TRUE(fs.ListDir(dir.path(), &entries).ok());
  EXPECT_EQ(entries.size(), 2u);
  EXPECT_EQ(fs.used_bytes(), 4u);
  EXPECT_EQ(fs.injected_failures(), 0u);
  ASSERT_TRUE(fs.Remove(dir.path() + "/f").ok());
  EXPECT_EQ(fs.used_bytes(), 0u);
  EXPECT_EQ(fs.Remove(dir.path() + "/f").code(), Status::Code::kNotFound);
}

TEST(FaultFs, FailNextWriteLooksLikeADiskFullAndStaysFailed) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  const std::string path = dir.path() + "/f";
  auto file = fs.NewWritableFile(path);
  ASSERT_TRUE(file.ok());
  fs.FailNext(Op::kWrite, ENOSPC);
  Status status = AppendString(file->get(), "abcd");
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_EQ(status.message(), "write " + path + ": No space left on device");
  EXPECT_EQ(status.ToString(), "I/O error: write " + path + ": No space left on device");
  EXPECT_EQ(fs.injected_failures(), 1u);
  // The fault is used up, but this file stays failed; a new file works.
  EXPECT_EQ(AppendString(file->get(), "more").message(), status.message());
  EXPECT_EQ((*file)->Sync().message(), status.message());
  EXPECT_TRUE((*file)->Close().ok());
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/g", "fine").ok());
  EXPECT_EQ(fs.injected_failures(), 1u);
}

TEST(FaultFs, InjectedWriteFailuresAlternateBetweenShortAndNothingWritten) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.FailNext(Op::kWrite, ENOSPC, 4);
  for (int i = 0; i < 4; ++i) {
    const std::string path = dir.path() + "/f" + std::to_string(i);
    auto file = fs.NewWritableFile(path);
    ASSERT_TRUE(file.ok());
    EXPECT_FALSE(AppendString(file->get(), "0123456789").ok());
    ASSERT_TRUE((*file)->Close().ok());
    EXPECT_EQ(ReadAll(path), i % 2 == 0 ? "01234" : "") << i;  // a partial file, then an empty one
  }
  EXPECT_EQ(fs.used_bytes(), 10u);
  EXPECT_EQ(fs.injected_failures(), 4u);
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/after", "ok").ok());
}

TEST(FaultFs, FailNextCountsCalls) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.FailNext(Op::kCreate, EACCES, 2);
  const std::string path = dir.path() + "/f";
  auto first = fs.NewWritableFile(path);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "open " + path + ": Permission denied");
  EXPECT_FALSE(Exists(path));
  EXPECT_FALSE(fs.NewWritableFile(path).ok());
  EXPECT_TRUE(fs.NewWritableFile(path).ok());
  EXPECT_EQ(fs.injected_failures(), 2u);
}

TEST(FaultFs, NegativeCountFailsUntilCleared) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.FailNext(Op::kSync, EIO, -1);
  for (int i = 0; i < 5; ++i) {
    const Status status = WriteWhole(&fs, dir.path() + "/f", "x");
    EXPECT_EQ(status.message(), "fsync " + dir.path() + "/f: Input/output error");
  }
  EXPECT_EQ(fs.injected_failures(), 5u);
  fs.ClearFaults();
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/f", "x").ok());
}

TEST(FaultFs, FailNextReplacesAndZeroCancels) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.FailNext(Op::kCreate, EACCES, 5);
  fs.FailNext(Op::kCreate, EIO, 1);
  auto file = fs.NewWritableFile(dir.path() + "/f");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("Input/output error"), std::string::npos);
  EXPECT_TRUE(fs.NewWritableFile(dir.path() + "/f").ok());
  fs.FailNext(Op::kCreate, EIO, 3);
  fs.FailNext(Op::kCreate, EIO, 0);
  EXPECT_TRUE(fs.NewWritableFile(dir.path() + "/f").ok());
}

TEST(FaultFs, FaultsOfOneOpDoNotTouchOthers) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.FailNext(Op::kRename, EIO, -1);
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/f", "x").ok());
  EXPECT_TRUE(fs.SyncDir(dir.path()).ok());
  EXPECT_FALSE(fs.Rename(dir.path() + "/f", dir.path() + "/g").ok());
  EXPECT_TRUE(fs.Remove(dir.path() + "/f").ok());
}

TEST(FaultFs, FailedSyncStaysFailed) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  auto file = fs.NewWritableFile(dir.path() + "/f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(AppendString(file->get(), "x").ok());
  fs.FailNext(Op::kSync, EIO);
  EXPECT_FALSE((*file)->Sync().ok());
  // A retried fsync must not report success for data the kernel may have dropped.
  EXPECT_FALSE((*file)->Sync().ok());
  EXPECT_FALSE(AppendString(file->get(), "y").ok());
}

TEST(FaultFs, FailedRenameLeavesBothPathsAlone) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  const std::string from = dir.path() + "/from";
  const std::string to = dir.path() + "/to";
  ASSERT_TRUE(WriteWhole(&fs, from, "abc").ok());
  fs.FailNext(Op::kRename, EACCES);
  const Status status = fs.Rename(from, to);
  EXPECT_EQ(status.code(), Status::Code::kIOError);
  EXPECT_EQ(status.message(), "rename " + from + " to " + to + ": Permission denied");
  EXPECT_EQ(ReadAll(from), "abc");
  EXPECT_FALSE(Exists(to));
  EXPECT_EQ(fs.used_bytes(), 3u);
}

TEST(FaultFs, FailedSyncDirAndRemove) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/f", "abc").ok());
  fs.FailNext(Op::kSyncDir, EIO);
  EXPECT_EQ(fs.SyncDir(dir.path()).message(), "fsync " + dir.path() + ": Input/output error");
  EXPECT_TRUE(fs.SyncDir(dir.path()).ok());
  fs.FailNext(Op::kRemove, EACCES, 2);
  EXPECT_EQ(fs.Remove(dir.path() + "/f").message(), "unlink " + dir.path() + "/f: Permission denied");
  EXPECT_TRUE(Exists(dir.path() + "/f"));
  EXPECT_EQ(fs.used_bytes(), 3u);
  ASSERT_TRUE(fs.CreateDirs(dir.path() + "/d").ok());
  EXPECT_FALSE(fs.RemoveDir(dir.path() + "/d").ok());
  EXPECT_TRUE(Exists(dir.path() + "/d"));
  EXPECT_TRUE(fs.Remove(dir.path() + "/f").ok());
  EXPECT_TRUE(fs.RemoveDir(dir.path() + "/d").ok());
  EXPECT_EQ(fs.injected_failures(), 3u);
}

TEST(FaultFs, CapacityFillsWritesWhatFitsThenFails) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.SetCapacity(100);
  const std::string path = dir.path() + "/f";
  auto file = fs.NewWritableFile(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(AppendString(file->get(), std::string(60, 'a')).ok());
  const Status status = AppendString(file->get(), std::string(60, 'b'));
  EXPECT_EQ(status.message(), "write " + path + ": No space left on device");
  EXPECT_EQ(fs.used_bytes(), 100u);
  EXPECT_EQ(fs.injected_failures(), 1u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadAll(path), std::string(60, 'a') + std::string(40, 'b'));
  // Full: nothing fits any more, not even one byte.
  EXPECT_FALSE(WriteWhole(&fs, dir.path() + "/g", "x").ok());
  EXPECT_EQ(fs.used_bytes(), 100u);
}

TEST(FaultFs, CapacityFreedByRemoveLetsWritesResume) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.SetCapacity(10);
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/a", "0123456789").ok());
  EXPECT_FALSE(WriteWhole(&fs, dir.path() + "/b", "0123").ok());
  ASSERT_TRUE(fs.Remove(dir.path() + "/b").ok());  // the empty leftover
  ASSERT_TRUE(fs.Remove(dir.path() + "/a").ok());
  EXPECT_EQ(fs.used_bytes(), 0u);
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/b", "0123").ok());
  EXPECT_EQ(fs.used_bytes(), 4u);
  fs.SetCapacity(0);  // unlimited again
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/c", std::string(1000, 'x')).ok());
  EXPECT_EQ(fs.used_bytes(), 1004u);
}

TEST(FaultFs, RenameMovesTheAccounting) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  fs.SetCapacity(100);
  ASSERT_TRUE(fs.CreateDirs(dir.path() + "/.tmp").ok());
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/.tmp/x", std::string(50, 'x')).ok());
  ASSERT_TRUE(fs.Rename(dir.path() + "/.tmp/x", dir.path() + "/x").ok());
  EXPECT_EQ(fs.used_bytes(), 50u);
  EXPECT_EQ(fs.Remove(dir.path() + "/.tmp/x").code(), Status::Code::kNotFound);
  EXPECT_EQ(fs.used_bytes(), 50u);
  ASSERT_TRUE(fs.Remove(dir.path() + "/x").ok());
  EXPECT_EQ(fs.used_bytes(), 0u);
}

TEST(FaultFs, RenameOverAFileFreesTheReplacedBytes) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/old", std::string(30, 'o')).ok());
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/new", std::string(20, 'n')).ok());
  EXPECT_EQ(fs.used_bytes(), 50u);
  ASSERT_TRUE(fs.Rename(dir.path() + "/new", dir.path() + "/old").ok());
  EXPECT_EQ(fs.used_bytes(), 20u);
  EXPECT_EQ(ReadAll(dir.path() + "/old"), std::string(20, 'n'));
}

TEST(FaultFs, WritesAfterRenameStillCount) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  auto file = fs.NewWritableFile(dir.path() + "/a");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(AppendString(file->get(), "12").ok());
  ASSERT_TRUE(fs.Rename(dir.path() + "/a", dir.path() + "/b").ok());
  ASSERT_TRUE(AppendString(file->get(), "345").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(fs.used_bytes(), 5u);
  ASSERT_TRUE(fs.Remove(dir.path() + "/b").ok());
  EXPECT_EQ(fs.used_bytes(), 0u);
}

TEST(FaultFs, RecreatingAFileResetsItsAccounting) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/f", std::string(40, 'x')).ok());
  ASSERT_TRUE(WriteWhole(&fs, dir.path() + "/f", std::string(10, 'y')).ok());
  EXPECT_EQ(fs.used_bytes(), 10u);
}

TEST(FaultFs, FilesNotWrittenThroughItAreNotCounted) {
  TempDir dir;
  ASSERT_TRUE(WriteWhole(DefaultFileSystem(), dir.path() + "/outside", std::string(10, 'x')).ok());
  FaultInjectingFileSystem fs;
  fs.SetCapacity(5);
  EXPECT_TRUE(WriteWhole(&fs, dir.path() + "/inside", "12345").ok());
  EXPECT_TRUE(fs.Remove(dir.path() + "/outside").ok());
  EXPECT_EQ(fs.used_bytes(), 5u);
}

TEST(FaultFs, WrapsAnotherFaultInjectingFileSystem) {
  TempDir dir;
  FaultInjectingFileSystem inner;
  FaultInjectingFileSystem outer(&inner);
  inner.FailNext(Op::kCreate, EROFS);
  auto file = outer.NewWritableFile(dir.path() + "/f");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), "open " + dir.path() + "/f: Read-only file system");
  EXPECT_EQ(inner.injected_failures(), 1u);
  EXPECT_EQ(outer.injected_failures(), 0u);
}

TEST(FaultFs, ConcurrentWritersNeverExceedTheCapacity) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  constexpr uint64_t kCapacity = 64 * 1024;
  fs.SetCapacity(kCapacity);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&fs, &dir, t] {
      for (int i = 0; i < 50; ++i) {
        (void)WriteWhole(&fs, dir.path() + "/t" + std::to_string(t) + "_" + std::to_string(i),
                         std::string(1000 + 37 * i, 'x'));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(fs.used_bytes(), kCapacity);
  uint64_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) on_disk += entry.file_size();
  EXPECT_EQ(on_disk, kCapacity);
  EXPECT_GT(fs.injected_failures(), 0u);
}

// A power cut forgets unsynced bytes and directory entries no SyncDir made durable; then the machine is off.
TEST(FaultFs, APowerCutForgetsWhatWasNotSynced) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  auto append = [](WritableFile* f, std::string_view text) {
    return f->Append(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  };
  const std::string kept = dir.path() + "/kept";
  auto a = fs.NewWritableFile(kept);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(append(a->get(), "durable").ok());
  ASSERT_TRUE((*a)->SyncData().ok());
  ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
  ASSERT_TRUE(append(a->get(), " and not").ok());  // written, never synced
  const std::string preallocated = dir.path() + "/prealloc";
  auto b = fs.NewWritableFile(preallocated);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(append(b->get(), "head").ok());
  ASSERT_TRUE((*b)->Preallocate(64).ok());
  ASSERT_TRUE((*b)->Sync().ok());
  ASSERT_TRUE(fs.SyncDir(dir.path()).ok());
  ASSERT_TRUE(append(b->get(), "tail").ok());
  const std::string unsynced_entry = dir.path() + "/new";
  auto c = fs.NewWritableFile(unsynced_entry);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(append(c->get(), "synced bytes, but no directory fsync").ok());
  ASSERT_TRUE((*c)->Sync().ok());
  ASSERT_TRUE(fs.Rename(kept, dir.path() + "/renamed").ok());  // the rename is not durable either...
  ASSERT_TRUE(fs.Rename(dir.path() + "/renamed", kept).ok());  // ...until this one's directory is synced
  ASSERT_TRUE(fs.SyncDir(dir.path()).ok());

  ASSERT_TRUE(fs.PowerCut().ok());
  EXPECT_EQ(ReadAll(kept), "durable");
  EXPECT_EQ(ReadAll(preallocated), "head" + std::string(60, '\0'));  // preallocated space reads as zeros
  EXPECT_TRUE(Exists(unsynced_entry));  // its directory was synced after it was created
  // The machine is off.
  EXPECT_EQ(append(a->get(), "x").code(), Status::Code::kIOError);
  EXPECT_NE(fs.NewWritableFile(dir.path() + "/later").status().message().find("Input/output error"),
            std::string::npos);
  EXPECT_FALSE(fs.SyncDir(dir.path()).ok());
}

// The write-ahead log overwrites recycled segments in place: what an overwrite replaced comes back at a
// power cut unless the file was synced after it; past the durable end, unsynced bytes read as zeros.
TEST(FaultFs, OverwritesNotSyncedAreUndoneByAPowerCut) {
  TempDir dir;
  const std::string path = dir.path() + "/recycled";
  {
    std::ofstream(path) << "old old old old";  // written before this layer: all of it durable
  }
  FaultInjectingFileSystem fs;
  auto write_at = [](WritableFile* f, uint64_t offset, std::string_view text) {
    return f->WriteAt(offset, reinterpret_cast<const uint8_t*>(text.data()), text.size());
  };
  EXPECT_EQ(fs.OpenForOverwrite(dir.path() + "/absent").status().code(), Status::Code::kNotFound);
  auto file = fs.OpenForOverwrite(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(write_at(file->get(), 0, "NEW").ok());
  ASSERT_TRUE((*file)->SyncData().ok());  // durable from here
  ASSERT_TRUE(write_at(file->get(), 4, "LOST").ok());
  ASSERT_TRUE(write_at(file->get(), 8, "GONE").ok());
  ASSERT_TRUE(write_at(file->get(), 6, "xx").ok());  // over an earlier overwrite: both are undone
  ASSERT_TRUE(write_at(file->get(), 15, " and beyond").ok());
  EXPECT_EQ(ReadAll(path), "NEW LOxxGONEold and beyond");
  ASSERT_TRUE(fs.PowerCut().ok());
  EXPECT_EQ(ReadAll(path), "NEW old old old");
}

TEST(FaultFs, AFileWhoseDirectoryWasNeverSyncedIsGoneAfterAPowerCut) {
  TempDir dir;
  FaultInjectingFileSystem fs;
  auto file = fs.NewWritableFile(dir.path() + "/orphan");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(reinterpret_cast<const uint8_t*>("abc"), 3).ok());
  ASSERT_TRUE((*file)->Sync().ok());  // its bytes, but not its name
  ASSERT_TRUE(fs.PowerCut().ok());
  EXPECT_FALSE(Exists(dir.path() + "/orphan"));
}

}  // namespace
}  // namespace fault_fs_test
}  // namespace logdaemon::storage
