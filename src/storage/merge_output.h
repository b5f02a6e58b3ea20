// MergeOutput: the files a merge writes — one, or past the rotation size several parts
// (`_<k>of<n>`) — first in .tmp/, fsynced, then renamed into the partition with their final names
// (DESIGN.md §5.3). Owns the parts' files and Parquet writers; Abandon() removes whatever was written.
//
// Thread-safety: none; one per merge.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/file_writer.h"
#include "storage/file_names.h"
#include "storage/fs.h"

namespace logdaemon::storage {

class MergeOutput {
 public:
  // Parts are created in `tmp_dir` and named after `range`; every part's footer carries `metadata`.
  MergeOutput(FileSystem* fs, std::string tmp_dir, SequenceRange range,
              std::vector<parquet::ColumnSpec> schema, parquet::WriterOptions options,
              std::vector<parquet::KeyValue> metadata);
  ~MergeOutput();

  // The part being written, opened first if there is none (a new part after FinishPart).
  Result<parquet::FileWriter*> Current();
  // Whether a part is open.
  bool has_open_part() const;
  // Bytes of the open part so far, and what its footer would add now.
  uint64_t open_part_bytes() const;
  uint64_t open_part_footer_bytes() const;
  size_t open_part_row_groups() const;
  // Records a row group written to the open part, and its earliest time (a part's name starts with the
  // earliest time of its rows).
  void RowGroupWritten(int64_t min_time);
  // Closes the open part (footer, fsync, close).
  Status FinishPart();
  // Renames every finished part into `partition_dir` (default_min_time names a part without rows) and
  // fsyncs the directory. *written: the parts' bytes. On failure the parts already renamed are an
  // incomplete set, which readers ignore and start-up removes.
  Status Publish(const std::string& partition_dir, int64_t default_min_time, uint64_t* written);
  // Closes and removes every part; returns `status`.
  Status Abandon(Status status);
  size_t num_parts() const { return parts_.size(); }

 private:
  class CountingSink;
  struct Part;

  FileSystem* fs_;
  const std::string tmp_dir_;
  const SequenceRange range_;
  const std::vector<parquet::ColumnSpec> schema_;
  const parquet::WriterOptions options_;
  const std::vector<parquet::KeyValue> metadata_;
  std::vector<std::unique_ptr<Part>> parts_;
};

}  // namespace logdaemon::storage
