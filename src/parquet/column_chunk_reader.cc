#include "parquet/column_chunk_reader.h"

#include <algorithm>

#include "parquet/compression.h"
#include "parquet/file_reader.h"
#include "parquet/metadata_codec.h"

namespace logdaemon::parquet {

std::string ColumnChunkReader::Context() const {
  return file_->ColumnContext(row_group_, column_);
}

Status ColumnChunkReader::PageError(const Status& st, const PageInfo& page) const {
  return st.WithContext(Context() + ": page " + std::to_string(page.number) + " at offset " +
                        std::to_string(chunk_start_ + page.header_offset));
}

Status ColumnChunkReader::Open(const FileReader& file, int row_group, int column, bool keep_dictionary) {
  open_ = false;
  file_ = &file;
  spec_ = nullptr;
  num_rows_ = 0;
  chunk_.clear();
  pages_.clear();
  has_dictionary_page_ = false;
  dictionary_tried_ = false;
  dictionary_status_ = Status::OK();
  bytes_decoded_ = 0;
  if (row_group < 0 || row_group >= file.num_row_groups() || column < 0 || column >= file.num_columns()) {
    return Status::InvalidArgument(file.name() + ": no column " + std::to_string(column) + " in row group " +
                                   std::to_string(row_group));
  }
  row_group_ = row_group;
  column_ = column;
  spec_ = &file.columns()[static_cast<size_t>(column)];
  keep_dictionary_ = keep_dictionary && spec_->type == Type::kByteArray;
  const RowGroup& group = file.metadata().row_groups[static_cast<size_t>(row_group)];
  const ColumnMetaData& meta = *group.columns[static_cast<size_t>(column)].meta_data;
  decoder_.Reset(*spec_, meta.codec, file.options_);
  if (group.num_rows == 0) {  // nothing to read, whatever the chunk's offsets say
    open_ = true;
    return Status::OK();
  }
  if (Status st = file.ReadChunkBytes(row_group, column, &chunk_, &chunk_start_); !st.ok()) {
    return st.WithContext(Context());
  }
  if (!CodecSupportedForReading(meta.codec)) {
    return Status::NotSupported("codec " + CodecName(meta.codec)).WithContext(Context());
  }
  if (Status st = WalkPages(static_cast<uint64_t>(group.num_rows)); !st.ok()) return st;
  num_rows_ = static_cast<size_t>(group.num_rows);
  open_ = true;
  return Status::OK();
}

// Stops once the data pages account for the row group's rows: what follows (some writers leave
// padding or index pages) is not part of the values.
Status ColumnChunkReader::WalkPages(uint64_t row_group_rows) {
  size_t position = 0;
  int number = 0;
  uint64_t rows = 0;
  while (position < chunk_.size() && rows < row_group_rows) {
    PageInfo page;
    page.number = number++;
    page.header_offset = position;
    PageHeader header;
    size_t header_size = 0;
    if (Status st =
            ParsePageHeader(chunk_.data() + position, chunk_.size() - position, &header, &header_size);
        !st.ok()) {
      return PageError(st, page);
    }
    position += header_size;
    if (header.compressed_page_size < 0 ||
        static_cast<size_t>(header.compressed_page_size) > chunk_.size() - position) {
      return PageError(
          Status::Corruption("compressed_page_size " + std::to_string(header.compressed_page_size) +
                             " runs past the column chunk"),
          page);
    }
    size_t body_size = static_cast<size_t>(header.compressed_page_size);
    page.body_offset = position;
    position += body_size;
    bool dictionary = header.type == PageType::kDictionaryPage;
    if (!dictionary && header.type != PageType::kDataPage && header.type != PageType::kDataPageV2) {
      // Index pages and page types from the future carry no values.
      if (header.uncompressed_page_size < 0) {
        return PageError(Status::Corruption("negative uncompressed_page_size"), page);
      }
      continue;
    }
    if (dictionary && has_dictionary_page_) {
      return PageError(Status::Corruption("second dictionary page in one column chunk"), page);
    }
    if (dictionary && !pages_.empty()) {
      return PageError(Status::Corruption("dictionary page after a data page"), page);
    }
    if (Status st = DescribePage(header, *spec_, body_size, row_group_rows - rows, &page); !st.ok()) {
      return PageError(st, page);
    }
    if (dictionary) {
      dictionary_page_ = page;
      has_dictionary_page_ = true;
    } else {
      page.first_row = rows;
      rows += page.num_values;
      pages_.push_back(page);
    }
  }
  if (rows != row_group_rows) {
    return Status::Corruption("column chunk holds " + std::to_string(rows) + " values, the row group " +
                              std::to_string(row_group_rows) + " rows")
        .WithContext(Context());
  }
  return Status::OK();
}

Status ColumnChunkReader::CheckCrc(PageInfo* page) const {
  if (!page->has_crc || !file_->options_.verify_checksums) return Status::OK();
  uint32_t computed = PageCrc32(chunk_.data() + page->body_offset, page->body_size);
  if (computed != page->crc) {
    return Status::Corruption("page CRC mismatch (stored " + std::to_string(page->crc) + ", computed " +
                              std::to_string(computed) + ")");
  }
  return Status::OK();
}

Status ColumnChunkReader::CheckOnce(PageInfo* page) {
  if (!page->decoded) {
    if (Status st = CheckCrc(page); !st.ok()) return st;
    page->decoded = true;
    bytes_decoded_ += page->body_offset - page->header_offset + page->body_size;
  }
  return Status::OK();
}

Status ColumnChunkReader::DecodePage(PageInfo* page, bool keep_indices, ColumnData* out) {
  if (Status st = CheckOnce(page); !st.ok()) return st;
  const uint8_t* body = chunk_.data() + page->body_offset;
  if (page->type == PageType::kDictionaryPage) return decoder_.DecodeDictionary(*page, body);
  return decoder_.DecodeData(*page, body, keep_indices, out);
}

Status ColumnChunkReader::DecodeDictionaryOnce() {
  if (dictionary_tried_) return dictionary_status_;
  dictionary_tried_ = true;
  if (!has_dictionary_page_) return Status::OK();  // the data page says what is missing
  if (Status st = DecodePage(&dictionary_page_, false, nullptr); !st.ok()) {
    dictionary_status_ = PageError(st, dictionary_page_);
  }
  return dictionary_status_;
}

// Pages without rows at `begin` count as in the range, so reading from row 0 decodes (and checks) every
// page, as a whole-chunk read always did.
size_t ColumnChunkReader::FirstPageOf(size_t begin) const {
  auto before_begin = [begin](const PageInfo& page) {
    return page.first_row + page.num_values <= begin && !(page.num_values == 0 && page.first_row >= begin);
  };
  return static_cast<size_t>(std::partition_point(pages_.begin(), pages_.end(), before_begin) -
                             pages_.begin());
}

Status ColumnChunkReader::Read(size_t begin, size_t end, ColumnData* out) {
  out->clear();
  if (spec_ != nullptr) {
    out->type = spec_->type;
    out->type_length = spec_->type_length;
  }
  if (!open_) return Status::InvalidArgument("ColumnChunkReader::Read without a successful Open");
  end = std::min(end, num_rows_);
  if (begin > end) {
    return Status::InvalidArgument("rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                                   ") of a row group of " + std::to_string(num_rows_))
        .WithContext(Context());
  }
  out->first_row = begin;
  if (begin == end) return Status::OK();

  size_t first = FirstPageOf(begin);
  size_t last = first;
  bool all_dictionary = true;
  bool any_dictionary = false;
  for (; last < pages_.size() && pages_[last].first_row < end; ++last) {
    bool encoded = pages_[last].dictionary_encoded();
    all_dictionary = all_dictionary && encoded;
    any_dictionary = any_dictionary || encoded;
  }
  // WalkPages made the pages' rows add up to num_rows_, so rows [begin, end) lie in some page.
  if (first == last)
    return Status::Corruption("no page holds row " + std::to_string(begin)).WithContext(Context());

  if (any_dictionary) {
    if (Status st = DecodeDictionaryOnce(); !st.ok()) return st;
  }
  const bool keep_indices = keep_dictionary_ && all_dictionary;
  out->first_row = static_cast<size_t>(pages_[first].first_row);
  for (size_t i = first; i < last; ++i) {
    if (Status st = DecodePage(&pages_[i], keep_indices, out); !st.ok()) return PageError(st, pages_[i]);
  }
  if (!spec_->optional()) out->def_levels.clear();
  if (keep_indices) {
    out->dictionary_encoded = true;
    out->dictionary = &decoder_.byte_array_dictionary();
  }
  return Status::OK();
}

bool ColumnChunkReader::CanGatherIndices(size_t begin, size_t end) const {
  if (!open_ || !keep_dictionary_ || begin >= end || end > num_rows_) return false;
  for (size_t p = FirstPageOf(begin); p < pages_.size() && pages_[p].first_row < end; ++p) {
    if (!pages_[p].dictionary_encoded()) return false;
  }
  return true;
}

Status ColumnChunkReader::GatherIndices(std::span<const uint32_t> rows, uint32_t* indices) {
  if (rows.empty()) return Status::OK();
  if (!CanGatherIndices(rows.front(), rows.back() + 1)) {
    return Status::InvalidArgument("GatherIndices: rows not all in dictionary-encoded pages")
        .WithContext(Context());
  }
  if (Status st = DecodeDictionaryOnce(); !st.ok()) return st;
  size_t page = FirstPageOf(rows.front());
  size_t i = 0;
  while (i < rows.size()) {
    while (page < pages_.size() && pages_[page].first_row + pages_[page].num_values <= rows[i]) ++page;
    if (page == pages_.size()) {
      return Status::InvalidArgument("GatherIndices: rows not ascending within the row group")
          .WithContext(Context());
    }
    PageInfo& info = pages_[page];
    // This page's rows, page-relative.
    page_rows_.clear();
    size_t j = i;
    for (; j < rows.size() && rows[j] < info.first_row + info.num_values; ++j) {
      if (j > 0 && rows[j] <= rows[j - 1]) {
        return Status::InvalidArgument("GatherIndices: rows not strictly ascending").WithContext(Context());
      }
      page_rows_.push_back(static_cast<uint32_t>(rows[j] - info.first_row));
    }
    if (Status st = CheckOnce(&info); !st.ok()) return PageError(st, info);
    const uint8_t* body = chunk_.data() + info.body_offset;
    if (Status st = decoder_.GatherIndices(info, body, page_rows_.data(), page_rows_.size(), indices + i);
        !st.ok()) {
      return PageError(st, info);
    }
    i = j;
  }
  return Status::OK();
}

}  // namespace logdaemon::parquet
