#include "parquet/delta_byte_array.h"

#include <algorithm>
#include <limits>

#include "parquet/delta_binary_packed.h"

namespace logdaemon::parquet {

namespace {

// Decodes num_values lengths; *consumed receives where the encoded lengths end.
Status DecodeLengths(const uint8_t* data, size_t size, size_t num_values, std::vector<int64_t>* lengths,
                     size_t* consumed) {
  DeltaBinaryPackedDecoder decoder;
  if (Status st = decoder.Reset(data, size); !st.ok()) return st;
  if (decoder.total_values() < num_values) {
    return Status::Corruption("delta lengths: " + std::to_string(decoder.total_values()) + " stored, " +
                              std::to_string(num_values) + " needed");
  }
  // Decode every stored length: the bytes that follow start after all of them.
  lengths->resize(decoder.total_values());
  if (Status st = decoder.Decode(lengths->data(), lengths->size()); !st.ok()) return st;
  lengths->resize(num_values);
  *consumed = decoder.bytes_consumed();
  return Status::OK();
}

}  // namespace

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out) {
  std::vector<int64_t> lengths;
  size_t position = 0;
  if (Status st = DecodeLengths(data, size, num_values, &lengths, &position); !st.ok()) {
    return st.WithContext("DELTA_LENGTH_BYTE_ARRAY");
  }
  for (size_t i = 0; i < num_values; ++i) {
    int64_t length = lengths[i];
    if (length < 0 || static_cast<uint64_t>(length) > size - position) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY: value length " + std::to_string(length) +
                                " past the page end");
    }
    if (out->bytes.size() + static_cast<size_t>(length) > std::numeric_limits<uint32_t>::max()) {
      return Status::NotSupported("column chunk holds over 4 GiB of byte arrays");
    }
    out->bytes.append(data + position, static_cast<size_t>(length));
    out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
    position += static_cast<size_t>(length);
  }
  return Status::OK();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out) {
  std::vector<int64_t> prefixes;
  size_t position = 0;
  if (Status st = DecodeLengths(data, size, num_values, &prefixes, &position); !st.ok()) {
    return st.WithContext("DELTA_BYTE_ARRAY prefixes");
  }
  ByteArrayValues suffixes;
  if (Status st = DecodeDeltaLengthByteArray(data + position, size - position, num_values, &suffixes);
      !st.ok()) {
    return st.WithContext("DELTA_BYTE_ARRAY suffixes");
  }
  std::string previous;
  std::string value;
  for (size_t i = 0; i < num_values; ++i) {
    int64_t prefix = prefixes[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous.size()) {
      return Status::Corruption("DELTA_BYTE_ARRAY: prefix length " + std::to_string(prefix) +
                                " longer than the previous value");
    }
    value.assign(previous, 0, static_cast<size_t>(prefix));
    value.append(suffixes[i]);
    if (out->bytes.size() + value.size() > std::numeric_limits<uint32_t>::max()) {
      return Status::NotSupported("column chunk holds over 4 GiB of byte arrays");
    }
    out->append(value);
    previous.swap(value);
  }
  return Status::OK();
}

void EncodeDeltaLengthByteArray(const std::vector<std::string>& values, ByteBuffer* out) {
  std::vector<int64_t> lengths;
  for (const auto& v : values) lengths.push_back(static_cast<int64_t>(v.size()));
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(out);
  encoder.PutMany(lengths.data(), lengths.size());
  encoder.Finish();
  for (const auto& v : values) out->append(v);
}

void EncodeDeltaByteArray(const std::vector<std::string>& values, ByteBuffer* out) {
  std::vector<int64_t> prefixes;
  std::vector<std::string> suffixes;
  std::string previous;
  for (const auto& v : values) {
    size_t common = 0;
    while (common < v.size() && common < previous.size() && v[common] == previous[common]) ++common;
    prefixes.push_back(static_cast<int64_t>(common));
    suffixes.push_back(v.substr(common));
    previous = v;
  }
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(out);
  encoder.PutMany(prefixes.data(), prefixes.size());
  encoder.Finish();
  EncodeDeltaLengthByteArray(suffixes, out);
}

}  // namespace logdaemon::parquet
