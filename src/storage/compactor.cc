#include "storage/compactor.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "storage/clock.h"
#include "storage/file_holds.h"
#include "storage/file_names.h"
#include "storage/merge_output.h"
#include "storage/row_group_merger.h"
#include "storage/wal_coverage.h"
#include "storage/writer.h"

namespace logdaemon::storage {

namespace {

// "dt=YYYY-MM-DD" or "dt=YYYY-MM-DD/hour=HH" → the partition's [start, end) in UTC micros.
bool PartitionSpan(const std::string& relative, int64_t* start, int64_t* end) {
  int year = 0, month = 0, day = 0, hour = -1;
  char tail = 0;
  int fields = std::sscanf(relative.c_str(), "dt=%4d-%2d-%2d/hour=%2d%c", &year, &month, &day, &hour, &tail);
  if (fields < 3 || fields > 4) return false;
  // Days from the civil date (the same algorithm as schema/rfc3339.h's DaysFromCivil).
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  constexpr int64_t kDay = 86'400'000'000, kHour = 3'600'000'000;
  if (fields == 4) {
    *start = days * kDay + hour * kHour;
    *end = *start + kHour;
  } else {
    *start = days * kDay;
    *end = *start + kDay;
  }
  return true;
}

}  // namespace

Compactor::Compactor(const StorageContext& context, EngineCounters* counters, EngineEvents events)
    : context_(context), counters_(counters), events_(std::move(events)) {
  policy_.min_merge_width = std::clamp<size_t>(context.options().merge_min_files, 2, policy_.max_merge_width);
  SetBudget();
  // A quarter of the compaction share (storage.h, merge_memory_bytes), at least 256 KiB: the merge holds
  // about three times it (decoded column, encoded chunk, input pages). An eighth made merged files of the
  // benches' corpus ~3 % larger (smaller row groups, each with its own dictionaries).
  if (const size_t share = context.options().merge_memory_bytes; share > 0) {
    merge_column_bytes_ = std::max<size_t>(share / 4, 256 << 10);
  }
  int64_t interval_ns = static_cast<int64_t>(context.options().flush_interval.count()) * 1'000'000;
  // A partition with no new file for this long is merged completely.
  quiet_ns_ = std::max<int64_t>(30'000'000'000, 4 * interval_ns);
}

Compactor::~Compactor() {
  Stop();
}

void Compactor::SetBudget() {
  const uint64_t rotation = context_.options().rotation_bytes;
  // Aim a little below the rotation size: the shrink is an estimate.
  policy_.rotation_bytes = static_cast<uint64_t>(static_cast<double>(rotation) * 0.95 / shrink_);
  policy_.full_bytes = rotation / 20 * 17;  // 85 %
  policy_.big_bytes = rotation / 2;
}

void Compactor::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ld-compactor");
    Run();
  });
}

void Compactor::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    stop_flag_.store(true);
    cv_.notify_all();
    done_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool Compactor::stopping() const {
  return stop_flag_.load(std::memory_order_relaxed);
}

void Compactor::Notify() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  cv_.notify_all();
}

Status Compactor::RunNow() {
  std::unique_lock lock(mutex_);
  if (stop_) return Status::Unavailable("storage is closed");
  uint64_t ticket = ++run_now_requests_;
  cv_.notify_all();
  done_cv_.wait(lock, [&] { return stop_ || run_now_done_ >= ticket; });
  if (run_now_done_ < ticket) return Status::Unavailable("storage is closed");
  return run_now_status_;
}

void Compactor::Run() {
  // Below the io and writer threads: compaction only uses what they leave.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  bool more = false;
  for (;;) {
    uint64_t requested = 0;
    {
      std::unique_lock lock(mutex_);
      if (!more) {
        cv_.wait_for(lock, std::chrono::seconds(1),
                     [&] { return stop_ || notified_ || run_now_requests_ > run_now_done_; });
      }
      if (stop_) return;
      notified_ = false;
      requested = run_now_requests_;
    }
    const bool forced = requested > run_now_done_;
    int64_t now = SteadyNanos();
    Status status;
    more = false;
    if (forced) {
      // Merge until nothing is left to merge (each pass merges one run per partition).
      bool again = true;
      for (int pass = 0; again && status.ok() && !stopping() && pass < 16; ++pass) {
        status = CompactPass(/*force=*/true, &again);
      }
    } else if (context_.options().compaction && now >= backoff_until_ns_) {
      status = CompactPass(/*force=*/false, &more);
    }
    if (status.ok() && (forced || now >= next_retention_ns_)) {
      status = ApplyRetention();
      next_retention_ns_ = now + 10'000'000'000;
    }
    if (!status.ok()) {
      counters_->write_errors.fetch_add(1, std::memory_order_relaxed);
      events_.on_error(status.WithContext("compaction"));
      backoff_until_ns_ = SteadyNanos() + 10'000'000'000;  // a full disk is not helped by retrying at once
      more = false;
    }
    if (forced) {
      std::lock_guard lock(mutex_);
      run_now_status_ = status;
      run_now_done_ = requested;
      done_cv_.notify_all();
    }
  }
}

bool Compactor::IsCompatible(const DataFile& file) {
  auto it = compatible_.find(file.path);
  if (it != compatible_.end()) return it->second;
  bool ok = false;
  auto reader = parquet::FileReader::Open(file.path);
  if (reader.ok()) {
    std::vector<parquet::ColumnSpec> expected = ParquetSchema(context_.layout());
    const std::vector<parquet::ColumnSpec>& actual = (*reader)->columns();
    ok = actual.size() == expected.size();
    for (size_t i = 0; ok && i < actual.size(); ++i) {
      ok = actual[i].name == expected[i].name && actual[i].type == expected[i].type &&
           actual[i].repetition == expected[i].repetition;
    }
  } else {
    events_.on_error(reader.status().WithContext("compaction skips a file it cannot read"));
  }
  if (compatible_.size() > 100000) compatible_.clear();
  compatible_[file.path] = ok;
  return ok;
}

void Compactor::UpdateBacklog(const std::vector<Partition>& partitions) {
  // The backlog is the flush files not merged yet (a flush file covers one sequence number; a merged
  // file the range of its inputs). Files of another schema never merge, so the count stops at the
  // newest of them.
  CompactionBacklog backlog;
  for (const Partition& partition : partitions) {
    CompactionBacklog waiting;
    for (auto it = partition.files.rbegin(); it != partition.files.rend(); ++it) {
      if (it->parsed.range.first != it->parsed.range.last) continue;
      if (!IsCompatible(*it)) break;
      ++waiting.files;
      waiting.bytes += it->size;
    }
    backlog.files = std::max(backlog.files, waiting.files);
    backlog.bytes = std::max(backlog.bytes, waiting.bytes);
  }
  EngineCounters& counters = *counters_;
  counters.compaction_backlog.store(backlog.files, std::memory_order_relaxed);
  counters.compaction_lagging.store(
      CompactorLags(counters.compaction_lagging.load(std::memory_order_relaxed), backlog, policy_),
      std::memory_order_relaxed);
}

Status Compactor::CompactPass(bool force, bool* more) {
  *more = false;
  // Read before listing: every file up to it is in the directory for the whole listing, so the listing
  // shows all of them; newer ones may or may not show, and are left out (EngineCounters::published_sequence).
  const uint64_t published = counters_->published_sequence.load(std::memory_order_acquire);
  std::vector<Partition> partitions;
  if (Status st = ScanStorage(context_.fs(), context_.root(), &partitions); !st.ok()) return st;
  for (Partition& partition : partitions) {
    std::erase_if(partition.files, [&](const DataFile& file) { return file.parsed.range.last > published; });
  }
  UpdateBacklog(partitions);
  const int64_t now = SteadyNanos();
  for (const Partition& partition : partitions) {
    if (stopping()) return Status::OK();
    if (partition.files.size() < 2) continue;
    PartitionActivity& activity = activity_[partition.relative_path];
    uint64_t last = partition.files.back().parsed.range.last;
    if (last != activity.last_sequence) {
      activity.last_sequence = last;
      activity.changed_ns = now;
      activity.quiet_merges = 0;
    }
    // A quiet partition is repacked a few passes at most (a merge of many files takes several), not
    // again and again when a part came out a little short.
    bool quiet = force || (now - activity.changed_ns >= quiet_ns_ && activity.quiet_merges < 8);
    std::vector<uint64_t> sizes;
    std::vector<bool> barrier;
    for (const DataFile& file : partition.files) {
      sizes.push_back(file.size);
      barrier.push_back(false);
    }
    // Files taken by the uploader (and the other parts of a merged file one of whose parts is taken)
    // are never merged again: the bucket holds them as they are (storage/file_holds.h).
    MarkHeldFiles(partition, &barrier);
    auto [begin, end] = PickMerge(sizes, barrier, policy_, quiet);
    if (begin == end) continue;
    // Files of another schema (an earlier --schema) are never merged with ours; they stay as they are.
    bool compatible = true;
    for (size_t i = begin; i < end && compatible; ++i) compatible = IsCompatible(partition.files[i]);
    if (!compatible) {
      for (size_t i = 0; i < partition.files.size(); ++i) barrier[i] = !IsCompatible(partition.files[i]);
      MarkHeldFiles(partition, &barrier);
      std::tie(begin, end) = PickMerge(sizes, barrier, policy_, quiet);
      if (begin == end) continue;
    }
    // A merged file written in parts is merged whole or not at all: the output's range covers the
    // range the parts share, so a part left out would be superseded without its rows being merged.
    const std::vector<DataFile>& files = partition.files;
    while (begin > 0 && files[begin - 1].parsed.range == files[begin].parsed.range) --begin;
    while (end < files.size() && files[end].parsed.range == files[end - 1].parsed.range) ++end;
    // The parts of one merged file are not merged again among themselves (same range, same rows).
    bool one_file = true;
    for (size_t i = begin + 1; i < end && one_file; ++i) {
      one_file = partition.files[i].parsed.range == partition.files[begin].parsed.range;
    }
    if (one_file) continue;
    // The uploader may have taken one of them since the barriers were read: then not this time.
    std::vector<std::string> held_names;
    if (FileHolds* holds = context_.options().file_holds.get(); holds != nullptr) {
      for (size_t i = begin; i < end; ++i)
        held_names.push_back(HeldName(partition.relative_path, files[i].name));
      if (!holds->BeginMerge(held_names)) continue;
    }
    uint64_t input_bytes = 0;
    for (size_t i = begin; i < end; ++i) input_bytes += sizes[i];
    Status merged = Merge(partition, begin, end, MergeWritesFinalFiles(input_bytes, shrink_, policy_, quiet));
    if (!held_names.empty()) context_.options().file_holds->EndMerge(held_names);
    if (!merged.ok()) return merged;
    if (quiet) ++activity.quiet_merges;
    *more = true;
  }
  if (activity_.size() > 10000) activity_.clear();
  return Status::OK();
}

void Compactor::MarkHeldFiles(const Partition& partition, std::vector<bool>* barrier) const {
  const FileHolds* holds = context_.options().file_holds.get();
  if (holds == nullptr) return;
  const std::vector<DataFile>& files = partition.files;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!holds->IsHeld(HeldName(partition.relative_path, files[i].name))) continue;
    (*barrier)[i] = true;
    // Its sibling parts: a merged file written in parts is merged whole or not at all.
    for (size_t j = 0; j < files.size(); ++j) {
      if (files[j].parsed.range == files[i].parsed.range) (*barrier)[j] = true;
    }
  }
}

Status Compactor::OpenInputs(const Partition& partition, size_t begin, size_t end, MergeInputs* inputs) {
  for (size_t i = begin; i < end; ++i) {
    const DataFile& file = partition.files[i];
    auto reader = parquet::FileReader::Open(file.path);
    if (!reader.ok()) return reader.status();
    inputs->bytes += file.size;
    inputs->rows += static_cast<uint64_t>((*reader)->num_rows());
    // The merged file holds the inputs' write-ahead log records: it records the union of their coverage.
    if (Status st = MergeFileCoverage(**reader, file.path, &inputs->coverage); !st.ok()) return st;
    inputs->readers.push_back(std::move(*reader));
    inputs->list.push_back(
        {inputs->readers.back().get(), file.parsed.min_time_seconds * 1'000'000, file.path});
  }
  return Status::OK();
}

Status Compactor::WriteMerged(const MergeInputs& inputs, MergeOutput* output) {
  const uint64_t rotation = context_.options().rotation_bytes;
  // Row groups of 1/16 of the rotation size (at most kMergeRowGroupRows rows) let a part end close to it;
  // bytes per row start from the inputs' and follow what the groups written so far took.
  double bytes_per_row =
      inputs.rows > 0 ? static_cast<double>(inputs.bytes) * shrink_ / static_cast<double>(inputs.rows) : 64;
  uint64_t group_bytes_total = 0;
  uint64_t group_rows_total = 0;
  MergePlan plan(inputs.list, merge_column_bytes_);
  RowGroupMerger merger(context_.layout().time_column, merge_column_bytes_);
  std::vector<MergeSlice> slices;
  bool sorting = MayBeOutOfTimeOrder(inputs.list, context_.layout().time_column);
  for (;;) {
    if (stopping()) return Status::OK();
    const double target = static_cast<double>(rotation) / 16 / std::max(bytes_per_row, 1.0);
    const size_t step = static_cast<size_t>(std::clamp<double>(target, 128, kMergeRowGroupRows));
    if (!plan.Next(step, &slices)) break;
    // Rows out of order are decoded whole to be sorted: such a group is cut to what fits decoded. Inputs
    // out of order tend to stay so, and the times of rows cut off are read again: the first group is cut
    // before its times are read when the footers say the inputs may be out of order, and each next one
    // after a group that was sorted.
    if (sorting) plan.FitForSort(&slices);
    if (Status st = merger.Prepare(inputs.list, slices); !st.ok()) return st;
    if (!merger.in_order() && plan.FitForSort(&slices)) merger.Cut(slices);
    sorting = !merger.in_order();
    auto writer = output->Current();
    if (!writer.ok()) return writer.status();
    const uint64_t before = output->open_part_bytes();
    int64_t min_time = 0;
    if (Status st = merger.Write(inputs.list, slices, *writer, &min_time); !st.ok()) return st;
    // The merger's buffers between groups and everything the output's writer holds (its page buffers,
    // dictionaries, compressor: FileWriter::memory_bytes), which is most of a merge's memory.
    counters_->merge_bytes.store(merger.held_bytes() + (*writer)->memory_bytes(), std::memory_order_relaxed);
    output->RowGroupWritten(min_time);
    const size_t rows = RowsOf(slices);
    // Averaged over the whole merge: a short group (the end of the inputs) costs more per row.
    group_bytes_total += output->open_part_bytes() - before;
    group_rows_total += rows;
    bytes_per_row = static_cast<double>(group_bytes_total) / static_cast<double>(group_rows_total);
    // The page index and footer come on top: what they would take now, grown by one more group's share.
    const uint64_t footer_now = output->open_part_footer_bytes();
    const uint64_t footer = footer_now + footer_now / std::max<size_t>(output->open_part_row_groups(), 1);
    // The next group is guessed as a full one at these bytes per row, with a margin: groups vary by a
    // few per cent.
    const double next_group = bytes_per_row * static_cast<double>(step) * 1.1;
    if (static_cast<double>(output->open_part_bytes() + footer) + next_group >
        static_cast<double>(rotation)) {
      if (Status st = output->FinishPart(); !st.ok()) return st;
    }
  }
  if (output->num_parts() == 0) {
    // Inputs without rows: one empty file.
    if (auto writer = output->Current(); !writer.ok()) return writer.status();
  }
  return output->FinishPart();
}

Status Compactor::RemoveInputs(const Partition& partition, size_t begin, size_t end) {
  // The merged file is durable and supersedes the inputs: only now do they go.
  FileSystem* fs = context_.fs();
  for (size_t i = begin; i < end; ++i) {
    if (Status st = fs->Remove(partition.files[i].path); !st.ok() && st.code() != Status::Code::kNotFound) {
      return st;
    }
    compatible_.erase(partition.files[i].path);
  }
  (void)fs->SyncDir(partition.path);
  return Status::OK();
}

void Compactor::RecordMerge(size_t files, uint64_t input_bytes, uint64_t written) {
  EngineCounters& counters = *counters_;
  counters.compactions.fetch_add(1, std::memory_order_relaxed);
  counters.files_compacted.fetch_add(files, std::memory_order_relaxed);
  counters.bytes_written.fetch_add(written, std::memory_order_relaxed);
  if (input_bytes > 0) {
    double observed = std::clamp(static_cast<double>(written) / static_cast<double>(input_bytes), 0.3, 1.2);
    shrink_ = shrink_measured_ ? (shrink_ + observed) / 2 : observed;
    shrink_measured_ = true;
    SetBudget();
  }
}

Status Compactor::Merge(const Partition& partition, size_t begin, size_t end, bool final_files) {
  const SequenceRange range{partition.files[begin].parsed.range.first,
                            partition.files[end - 1].parsed.range.last};
  MergeInputs inputs;
  if (Status st = OpenInputs(partition, begin, end, &inputs); !st.ok()) return st;
  std::vector<parquet::KeyValue> metadata = {{"logdaemon.schema", context_.schema().text()}};
  if (!inputs.coverage.empty()) metadata.push_back({std::string(kWalCoverageKey), inputs.coverage.Encode()});
  const std::vector<parquet::ColumnSpec> schema = ParquetSchema(context_.layout());
  parquet::WriterOptions writer_options = FileWriterOptions(context_.options(), schema);
  // Merged dictionaries may grow to the plan's bound on a column (4 MiB of the default budget; flush
  // files use 1 MiB, writer.cc): a merge holds one column's dictionary at a time, and rows streamed in
  // order (storage/merge_plan.h) are bounded by their encoded size, which does not bound a dictionary.
  // At 1 MiB, merged files of the benches' corpus came out 15-20 % larger (the message column fell back
  // to PLAIN part-way through each row group).
  writer_options.dictionary_size_limit =
      std::clamp<size_t>(merge_column_bytes_, size_t{1} << 20, size_t{8} << 20);
  // Sorted dictionaries: a merged row group's message dictionary page ~20 % smaller under zstd (a third
  // under snappy), for ~5 bytes a row held per column until its dictionary is final and ~12 % of the
  // merge's CPU — so only in files that stay (docs/storage.md, "Compaction").
  writer_options.sort_dictionaries = final_files;
  MergeOutput output(context_.fs(), context_.tmp_dir(), range, schema, std::move(writer_options),
                     std::move(metadata));
  Status written_st = WriteMerged(inputs, &output);
  counters_->merge_bytes.store(0, std::memory_order_relaxed);  // the merger's buffers are gone
  if (!written_st.ok()) return output.Abandon(written_st);
  if (stopping()) return output.Abandon(Status::OK());  // discarded unfinished; the inputs stay
  // Durable in .tmp/; now visible.
  uint64_t written = 0;
  const int64_t default_min_time = partition.files[begin].parsed.min_time_seconds * 1'000'000;
  if (Status st = output.Publish(partition.path, default_min_time, &written); !st.ok()) return st;
  if (Status st = RemoveInputs(partition, begin, end); !st.ok()) return st;
  RecordMerge(end - begin, inputs.bytes, written);
  return Status::OK();
}

bool Compactor::MayDelete(const Partition& partition, const DataFile& file) const {
  const FileHolds* holds = context_.options().file_holds.get();
  if (holds == nullptr) return true;
  // A part of a merged file only with all its siblings: deleting one would leave the others an incomplete
  // set, hidden and then removed at the next start while perhaps not shipped.
  for (const DataFile& other : partition.files) {
    if ((other.name == file.name ||
         (file.parsed.part.count > 0 && other.parsed.range == file.parsed.range)) &&
        !holds->MayDelete(HeldName(partition.relative_path, other.name))) {
      return false;
    }
  }
  return true;
}

Status Compactor::ApplyRetention() {
  const StorageOptions& options = context_.options();
  if (options.retention_days <= 0 && options.retention_bytes == 0) return Status::OK();
  FileSystem* fs = context_.fs();
  std::vector<Partition> partitions;
  if (Status st = ScanStorage(fs, context_.root(), &partitions); !st.ok()) return st;
  uint64_t deleted = 0;
  auto remove = [&](const DataFile& file) -> Status {
    Status st = fs->Remove(file.path);
    if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
    compatible_.erase(file.path);
    ++deleted;
    return Status::OK();
  };

  if (options.retention_days > 0) {
    const int64_t cutoff = WallMicros() - static_cast<int64_t>(options.retention_days) * 86'400'000'000;
    for (Partition& partition : partitions) {
      int64_t start = 0, end = 0;
      bool expired_partition = PartitionSpan(partition.relative_path, &start, &end) && end <= cutoff;
      std::vector<DataFile> keep;
      for (std::vector<DataFile>* list : {&partition.superseded, &partition.files}) {
        for (DataFile& file : *list) {
          if (list == &partition.files && !MayDelete(partition, file)) {
            keep.push_back(file);
            continue;
          }
          // Unpartitioned storage: by the earliest row in the file, from its name.
          bool expired = expired_partition || (partition.relative_path.empty() &&
                                               file.parsed.min_time_seconds * 1'000'000 < cutoff);
          if (expired) {
            if (Status st = remove(file); !st.ok()) return st;
          } else if (list == &partition.files) {
            keep.push_back(file);
          }
        }
      }
      if (expired_partition) {
        (void)fs->RemoveDir(partition.path);  // fails harmlessly if something else lives there
        size_t slash = partition.relative_path.find('/');
        if (slash != std::string::npos) {
          (void)fs->RemoveDir(JoinPath(context_.root(), partition.relative_path.substr(0, slash)));
        }
      }
      partition.files = std::move(keep);
      partition.superseded.clear();
    }
  }

  if (options.retention_bytes > 0) {
    uint64_t total = 0;
    for (const Partition& partition : partitions) {
      for (const DataFile& file : partition.files) total += file.size;
      for (const DataFile& file : partition.superseded) total += file.size;
    }
    // Partitions are ordered by path, so by time; files within one by sequence.
    for (const Partition& partition : partitions) {
      for (const std::vector<DataFile>* list : {&partition.superseded, &partition.files}) {
        for (const DataFile& file : *list) {
          if (total <= options.retention_bytes) break;
          if (list == &partition.files && !MayDelete(partition, file)) continue;
          if (Status st = remove(file); !st.ok()) return st;
          total -= std::min(total, file.size);
        }
      }
    }
  }
  if (deleted > 0) {
    counters_->files_deleted_by_retention.fetch_add(deleted, std::memory_order_relaxed);
  }
  return Status::OK();
}

}  // namespace logdaemon::storage
