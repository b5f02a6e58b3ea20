#include "storage/merge_output.h"

#include <algorithm>
#include <climits>

namespace logdaemon::storage {

// A Parquet sink that counts what it passes on (the file's size so far).
class MergeOutput::CountingSink final : public parquet::OutputSink {
 public:
  explicit CountingSink(WritableFile* file) : file_(file) {}
  Status Append(const uint8_t* data, size_t n) override {
    written_ += n;
    return file_->Append(data, n);
  }
  uint64_t written() const { return written_; }

 private:
  WritableFile* file_;
  uint64_t written_ = 0;
};

struct MergeOutput::Part {
  std::string tmp_path;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<CountingSink> sink;
  std::unique_ptr<parquet::FileWriter> writer;
  int64_t min_time = INT64_MAX;
  uint64_t bytes = 0;
  size_t row_groups = 0;
};

MergeOutput::MergeOutput(FileSystem* fs, std::string tmp_dir, SequenceRange range,
                         std::vector<parquet::ColumnSpec> schema, parquet::WriterOptions options,
                         std::vector<parquet::KeyValue> metadata)
    : fs_(fs),
      tmp_dir_(std::move(tmp_dir)),
      range_(range),
      schema_(std::move(schema)),
      options_(std::move(options)),
      metadata_(std::move(metadata)) {}

MergeOutput::~MergeOutput() = default;

Result<parquet::FileWriter*> MergeOutput::Current() {
  if (has_open_part()) return parts_.back()->writer.get();
  auto part = std::make_unique<Part>();
  part->tmp_path =
      JoinPath(tmp_dir_, "merge-" + std::to_string(range_.first) + "-" + std::to_string(range_.last) + "-" +
                             std::to_string(parts_.size() + 1) + ".parquet");
  auto file = fs_->NewWritableFile(part->tmp_path);
  if (!file.ok()) return file.status();
  part->file = std::move(*file);
  part->sink = std::make_unique<CountingSink>(part->file.get());
  auto writer = parquet::FileWriter::Open(part->sink.get(), schema_, options_);
  parts_.push_back(std::move(part));  // from here on Abandon() removes it
  if (!writer.ok()) return writer.status();
  parts_.back()->writer = std::move(*writer);
  return parts_.back()->writer.get();
}

bool MergeOutput::has_open_part() const {
  return !parts_.empty() && parts_.back()->writer != nullptr;
}

uint64_t MergeOutput::open_part_bytes() const {
  return has_open_part() ? parts_.back()->sink->written() : 0;
}

uint64_t MergeOutput::open_part_footer_bytes() const {
  return has_open_part() ? parts_.back()->writer->FooterBytes(metadata_) : 0;
}

size_t MergeOutput::open_part_row_groups() const {
  return has_open_part() ? parts_.back()->row_groups : 0;
}

void MergeOutput::RowGroupWritten(int64_t min_time) {
  if (!has_open_part()) return;
  Part& part = *parts_.back();
  part.min_time = std::min(part.min_time, min_time);
  ++part.row_groups;
}

Status MergeOutput::FinishPart() {
  if (!has_open_part()) return Status::OK();
  Part& part = *parts_.back();
  if (Status st = part.writer->Close(metadata_); !st.ok()) return st;
  part.writer.reset();
  if (Status st = part.file->Sync(); !st.ok()) return st;
  if (Status st = part.file->Close(); !st.ok()) return st;
  part.bytes = part.sink->written();
  return Status::OK();
}

Status MergeOutput::Publish(const std::string& partition_dir, int64_t default_min_time, uint64_t* written) {
  // Parts count only once all are renamed (storage/catalog.h), so a crash between two renames leaves the
  // inputs in charge and start-up removes the parts.
  *written = 0;
  const uint32_t count = parts_.size() > 1 ? static_cast<uint32_t>(parts_.size()) : 0;
  for (size_t k = 0; k < parts_.size(); ++k) {
    Part& part = *parts_[k];
    const int64_t min_time = part.min_time != INT64_MAX ? part.min_time : default_min_time;
    const FilePart id = count > 0 ? FilePart{static_cast<uint32_t>(k + 1), count} : FilePart{};
    if (Status st = fs_->Rename(part.tmp_path, JoinPath(partition_dir, DataFileName(min_time, range_, id)));
        !st.ok()) {
      return Abandon(st);
    }
    *written += part.bytes;
  }
  return fs_->SyncDir(partition_dir);
}

Status MergeOutput::Abandon(Status status) {
  for (auto& part : parts_) {
    part->writer.reset();
    if (part->file) (void)part->file->Close();
    (void)fs_->Remove(part->tmp_path);
  }
  parts_.clear();
  return status;
}

}  // namespace logdaemon::storage
