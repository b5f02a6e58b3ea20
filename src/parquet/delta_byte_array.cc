#include "parquet/delta_byte_array.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "parquet/delta_binary_packed.h"

namespace logdaemon::parquet {

namespace {

// Lengths are decoded this many at a time, on the stack.
constexpr size_t kSlice = 256;

// Decodes and drops the decoder's remaining values, so that bytes_consumed() is the encoding's end.
Status SkipRest(DeltaBinaryPackedDecoder* decoder, size_t decoded) {
  int64_t sink[kSlice];
  for (size_t left = decoder->total_values() - decoded; left > 0;) {
    const size_t n = std::min(left, kSlice);
    if (Status st = decoder->Decode(sink, n); !st.ok()) return st;
    left -= n;
  }
  return Status::OK();
}

// Decodes num_values lengths from *decoder into offsets[0 .. num_values) as base + running sums (the
// caller checks that these fit u32), each length and the sum checked to be in [0, limit]; then skips
// the stored lengths beyond. *sum receives the total.
Status DecodeLengthSums(DeltaBinaryPackedDecoder* decoder, size_t num_values, uint64_t limit, uint64_t base,
                        uint32_t* offsets, uint64_t* sum, const char* encoding) {
  int64_t lengths[kSlice];
  uint64_t running = 0;
  for (size_t i = 0; i < num_values;) {
    const size_t n = std::min(num_values - i, kSlice);
    if (Status st = decoder->Decode(lengths, n); !st.ok()) return st.WithContext(encoding);
    for (size_t k = 0; k < n; ++k) {
      const int64_t length = lengths[k];
      // Each length is at most the data size, so the running sum cannot overflow before this check.
      if (length < 0 || static_cast<uint64_t>(length) > limit ||
          (running += static_cast<uint64_t>(length)) > limit) {
        return Status::Corruption(std::string(encoding) + ": value " + std::to_string(i + k) + " of length " +
                                  std::to_string(length) + " past the " + std::to_string(limit) +
                                  " bytes of the page");
      }
      offsets[i + k] = static_cast<uint32_t>(base + running);
    }
    i += n;
  }
  if (Status st = SkipRest(decoder, num_values); !st.ok()) return st.WithContext(encoding);
  *sum = running;
  return Status::OK();
}

Status StartLengths(DeltaBinaryPackedDecoder* decoder, const uint8_t* data, size_t size, size_t num_values,
                    const char* what) {
  if (Status st = decoder->Reset(data, size); !st.ok()) return st.WithContext(what);
  if (decoder->total_values() < num_values) {
    return Status::Corruption(std::string(what) + ": " + std::to_string(decoder->total_values()) +
                              " stored, " + std::to_string(num_values) + " values needed");
  }
  return Status::OK();
}

Status TooLarge(const char* encoding) {
  return Status::NotSupported(std::string(encoding) + ": a column chunk with 4 GiB or more of byte arrays");
}

// Appends n lengths, from offsets (of n + 1 entries), to a DELTA_BINARY_PACKED encoder.
void PutLengths(const uint32_t* offsets, size_t n, DeltaBinaryPackedEncoder* encoder) {
  int64_t lengths[kSlice];
  for (size_t i = 0; i < n;) {
    const size_t k = std::min(n - i, kSlice);
    for (size_t j = 0; j < k; ++j) lengths[j] = offsets[i + j + 1] - offsets[i + j];
    encoder->PutMany(lengths, k);
    i += k;
  }
}

// Bytes value k shares with value k - 1 (0 for the first).
size_t CommonPrefix(const uint8_t* bytes, const uint32_t* offsets, size_t k) {
  if (k == 0) return 0;
  const uint8_t* a = bytes + offsets[k - 1];
  const uint8_t* b = bytes + offsets[k];
  const size_t limit = std::min<size_t>(offsets[k] - offsets[k - 1], offsets[k + 1] - offsets[k]);
  size_t common = 0;
  while (common < limit && a[common] == b[common]) ++common;
  return common;
}

}  // namespace

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out) {
  constexpr const char* kEncoding = "DELTA_LENGTH_BYTE_ARRAY";
  DeltaBinaryPackedDecoder lengths;
  if (Status st = StartLengths(&lengths, data, size, num_values, "DELTA_LENGTH_BYTE_ARRAY lengths");
      !st.ok()) {
    return st;
  }
  const size_t old_count = out->offsets.size();
  const uint64_t old_bytes = out->bytes.size();
  out->offsets.resize(old_count + num_values);
  uint32_t* offsets = out->offsets.data() + old_count;
  uint64_t total = 0;
  Status st = DecodeLengthSums(&lengths, num_values, size, old_bytes, offsets, &total, kEncoding);
  const size_t start = lengths.bytes_consumed();
  if (st.ok() && total > size - start) {
    st = Status::Corruption(std::string(kEncoding) + ": " + std::to_string(total) + " bytes of values, " +
                            std::to_string(size - start) + " present");
  }
  if (st.ok() && old_bytes + total > kMaxByteArrayBytes) st = TooLarge(kEncoding);
  if (!st.ok()) {
    out->offsets.resize(old_count);
    return st;
  }
  out->bytes.append(data + start, static_cast<size_t>(total));
  return Status::OK();
}

// Three passes over small stack slices, so that nothing is allocated per value: (1) decode the prefix
// lengths to find where the suffixes start; (2) decode the suffix lengths into *out's offsets (and so
// find where the suffix bytes start); (3) decode the prefix lengths again and build each value from
// its predecessor, already in *out, and its suffix.
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out) {
  constexpr const char* kEncoding = "DELTA_BYTE_ARRAY";
  DeltaBinaryPackedDecoder prefixes;
  if (Status st = StartLengths(&prefixes, data, size, num_values, "DELTA_BYTE_ARRAY prefix lengths");
      !st.ok()) {
    return st;
  }
  if (Status st = SkipRest(&prefixes, 0); !st.ok()) return st.WithContext("DELTA_BYTE_ARRAY prefix lengths");
  const size_t suffixes_at = prefixes.bytes_consumed();
  DeltaBinaryPackedDecoder suffixes;
  if (Status st = StartLengths(&suffixes, data + suffixes_at, size - suffixes_at, num_values,
                               "DELTA_BYTE_ARRAY suffix lengths");
      !st.ok()) {
    return st;
  }

  const size_t old_count = out->offsets.size();
  const size_t old_bytes = out->bytes.size();
  out->offsets.resize(old_count + num_values);
  uint32_t* offsets = out->offsets.data() + old_count;  // suffix ends first, then value ends
  uint64_t suffix_total = 0;
  Status st = DecodeLengthSums(&suffixes, num_values, size, 0, offsets, &suffix_total, kEncoding);
  const size_t suffix_bytes_at = suffixes_at + suffixes.bytes_consumed();
  if (st.ok() && suffix_total > size - suffix_bytes_at) {
    st = Status::Corruption(std::string(kEncoding) + ": " + std::to_string(suffix_total) +
                            " bytes of suffixes, " + std::to_string(size - suffix_bytes_at) + " present");
  }
  if (st.ok()) st = prefixes.Reset(data, size);

  const uint8_t* suffix = data + suffix_bytes_at;
  uint32_t previous_suffix_end = 0;
  size_t previous_start = old_bytes;
  size_t previous_length = 0;  // the value before the first is empty
  int64_t prefix_lengths[kSlice];
  for (size_t i = 0; st.ok() && i < num_values;) {
    const size_t n = std::min(num_values - i, kSlice);
    st = prefixes.Decode(prefix_lengths, n);
    if (!st.ok()) st = st.WithContext("DELTA_BYTE_ARRAY prefix lengths");
    for (size_t k = 0; st.ok() && k < n; ++k) {
      const int64_t prefix = prefix_lengths[k];
      if (prefix < 0 || static_cast<uint64_t>(prefix) > previous_length) {
        st = Status::Corruption(std::string(kEncoding) + ": value " + std::to_string(i + k) +
                                " has prefix length " + std::to_string(prefix) + ", the previous value " +
                                std::to_string(previous_length) + " bytes");
        break;
      }
      const size_t suffix_length = offsets[i + k] - previous_suffix_end;
      previous_suffix_end = offsets[i + k];
      const size_t length = static_cast<size_t>(prefix) + suffix_length;
      if (out->bytes.size() + length > kMaxByteArrayBytes) {
        st = TooLarge(kEncoding);
        break;
      }
      uint8_t* dest = out->bytes.prepare(length);  // may move the buffer: the prefix is read after
      if (prefix > 0) std::memcpy(dest, out->bytes.data() + previous_start, static_cast<size_t>(prefix));
      if (suffix_length > 0) std::memcpy(dest + prefix, suffix, suffix_length);
      suffix += suffix_length;
      previous_start = out->bytes.size();
      previous_length = length;
      out->bytes.commit(length);
      offsets[i + k] = static_cast<uint32_t>(out->bytes.size());
    }
    i += n;
  }
  if (!st.ok()) {
    out->offsets.resize(old_count);
    out->bytes.resize(old_bytes);
    return st;
  }
  return Status::OK();
}

void EncodeDeltaLengthByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out) {
  DeltaBinaryPackedEncoder lengths;
  lengths.Begin(out);
  PutLengths(offsets, n, &lengths);
  lengths.Finish();
  if (n > 0) out->append(bytes + offsets[0], offsets[n] - offsets[0]);
}

void PlainToDeltaLength(ByteBuffer* page, ByteBuffer* lengths) {
  // Pass 1: the lengths go to the encoder, and each value's bytes move to the front (left of where they
  // were, so a forward pass never overwrites what it has still to read).
  lengths->clear();
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(lengths);
  uint8_t* data = page->data();
  const size_t size = page->size();
  int64_t slice[kSlice];
  size_t in_slice = 0;
  size_t bytes = 0;
  for (size_t at = 0; at + 4 <= size;) {
    uint32_t length;
    std::memcpy(&length, data + at, 4);
    slice[in_slice++] = length;
    if (in_slice == kSlice) {
      encoder.PutMany(slice, in_slice);
      in_slice = 0;
    }
    std::memmove(data + bytes, data + at + 4, length);
    bytes += length;
    at += 4 + length;
  }
  encoder.PutMany(slice, in_slice);
  encoder.Finish();
  // Pass 2: the encoded lengths in front of the bytes.
  const size_t header = lengths->size();
  page->resize(header + bytes);  // keeps the bytes; may grow by a few bytes for a page of 1-2 values
  data = page->data();
  std::memmove(data + header, data, bytes);
  std::memcpy(data, lengths->data(), header);
}

void EncodeDeltaByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out) {
  // Both length streams are buffered by their encoders until Finish, which writes them in order.
  DeltaBinaryPackedEncoder prefixes;
  DeltaBinaryPackedEncoder suffix_lengths;
  prefixes.Begin(out);
  suffix_lengths.Begin(out);
  int64_t prefix_slice[kSlice];
  int64_t suffix_slice[kSlice];
  for (size_t i = 0; i < n;) {
    const size_t k = std::min(n - i, kSlice);
    for (size_t j = 0; j < k; ++j) {
      const size_t common = CommonPrefix(bytes, offsets, i + j);
      prefix_slice[j] = static_cast<int64_t>(common);
      suffix_slice[j] = static_cast<int64_t>(offsets[i + j + 1] - offsets[i + j] - common);
    }
    prefixes.PutMany(prefix_slice, k);
    suffix_lengths.PutMany(suffix_slice, k);
    i += k;
  }
  prefixes.Finish();
  suffix_lengths.Finish();
  for (size_t i = 0; i < n; ++i) {
    const size_t common = CommonPrefix(bytes, offsets, i);
    out->append(bytes + offsets[i] + common, offsets[i + 1] - offsets[i] - common);
  }
}

}  // namespace logdaemon::parquet
